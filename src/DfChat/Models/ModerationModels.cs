namespace DfChat.Models;

/// <summary>A user banned from a room.</summary>
public sealed record BanModel
{
    /// <summary>The room.</summary>
    public required string RoomId { get; init; }

    /// <summary>The banned user.</summary>
    public required string UserId { get; init; }

    /// <summary>Why, or null.</summary>
    public string? Reason { get; init; }

    /// <summary>When the ban ends, or null when it lasts until lifted.</summary>
    public DateTime? ExpiresAt { get; init; }

    /// <summary>Who banned the user.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When.</summary>
    public required DateTime CreatedAt { get; init; }
}

/// <summary>A user the caller blocked.</summary>
public sealed record BlockModel
{
    /// <summary>The blocked user.</summary>
    public required string UserId { get; init; }

    /// <summary>The blocked user's display name.</summary>
    public required string DisplayName { get; init; }

    /// <summary>When the block was made.</summary>
    public required DateTime CreatedAt { get; init; }
}

/// <summary>An invitation to a room.</summary>
public sealed record InviteModel
{
    /// <summary>
    /// The invitation's id: lists show it instead of the token, which is stored only as a hash, and
    /// <c>DELETE /rooms/{roomId}/invites/{token}</c> takes either.
    /// </summary>
    public required string Id { get; init; }

    /// <summary>The token to accept it with: only in the answer that created it, null in lists.</summary>
    public string? Token { get; init; }

    /// <summary>The room.</summary>
    public required string RoomId { get; init; }

    /// <summary>When it stops working, or null.</summary>
    public DateTime? ExpiresAt { get; init; }

    /// <summary>How many users may accept it, or null for no limit.</summary>
    public int? MaxUses { get; init; }

    /// <summary>How many users have accepted it.</summary>
    public required int Uses { get; init; }

    /// <summary>Who created it.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When.</summary>
    public required DateTime CreatedAt { get; init; }
}

/// <summary>A user to ban from a room.</summary>
public sealed record BanRequest
{
    /// <summary>The user to ban.</summary>
    public string? UserId { get; init; }

    /// <summary>Why (at most 1,000 characters).</summary>
    public string? Reason { get; init; }

    /// <summary>When the ban ends; null for a ban that lasts until lifted.</summary>
    public DateTime? ExpiresAt { get; init; }
}

/// <summary>A user to block, or to make a room's owner.</summary>
public sealed record UserIdRequest
{
    /// <summary>The user.</summary>
    public string? UserId { get; init; }
}

/// <summary>What a new invitation should be.</summary>
public sealed record CreateInviteRequest
{
    /// <summary>When it stops working; null for never.</summary>
    public DateTime? ExpiresAt { get; init; }

    /// <summary>How many users may accept it (at least 1); null for no limit.</summary>
    public int? MaxUses { get; init; }
}

/// <summary>A report of a message.</summary>
public sealed record ReportRequest
{
    /// <summary>Why (1 to 1,000 characters).</summary>
    public string? Reason { get; init; }
}

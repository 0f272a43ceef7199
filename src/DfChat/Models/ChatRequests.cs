namespace DfChat.Models;

/// <summary>Which page of a list to return.</summary>
/// <param name="Limit">How many items at most; null for the configured default.</param>
/// <param name="Cursor">The previous page's <see cref="PageModel{T}.NextCursor"/>, or null for the first page.</param>
public sealed record PageRequest(int? Limit = null, string? Cursor = null);

/// <summary>What a new room should be.</summary>
public sealed record CreateRoomRequest
{
    /// <summary><c>private_messages</c>, <c>group</c> or <c>channel</c>.</summary>
    public string? Type { get; init; }

    /// <summary>The name (required for groups and channels).</summary>
    public string? Name { get; init; }

    /// <summary>The description.</summary>
    public string? Description { get; init; }

    /// <summary>Whether the room is public.</summary>
    public bool IsPublic { get; init; }

    /// <summary>An image the caller uploaded, shown as the room's avatar.</summary>
    public string? AvatarMediaId { get; init; }

    /// <summary>The users to add with their type's default permissions.</summary>
    public IReadOnlyList<string>? UserIds { get; init; }
}

/// <summary>Changes to a room; null leaves a field as it is.</summary>
public sealed record UpdateRoomRequest
{
    /// <summary>The new name.</summary>
    public string? Name { get; init; }

    /// <summary>The new description (empty clears it).</summary>
    public string? Description { get; init; }

    /// <summary>Whether the room becomes public or private.</summary>
    public bool? IsPublic { get; init; }

    /// <summary>A new avatar: an image the caller uploaded.</summary>
    public string? AvatarMediaId { get; init; }

    /// <summary>Slow mode in seconds (0 to 3,600; 0 turns it off).</summary>
    public int? SlowModeSeconds { get; init; }

    /// <summary>Freezes or unfreezes the room.</summary>
    public bool? Frozen { get; init; }
}

/// <summary>A member to add.</summary>
public sealed record AddMemberRequest
{
    /// <summary>The user to add.</summary>
    public string? UserId { get; init; }

    /// <summary>Explicit permissions (the caller must hold each); null for the room type's defaults.</summary>
    public IReadOnlyList<string>? Permissions { get; init; }
}

/// <summary>Changes to a membership; null leaves a field as it is.</summary>
public sealed record UpdateMemberRequest
{
    /// <summary>Mute or unmute (the member itself only).</summary>
    public bool? Muted { get; init; }

    /// <summary>Move the read position (the member itself only).</summary>
    public DateTime? LastSeenAt { get; init; }

    /// <summary>Replace the permissions (the owner only).</summary>
    public IReadOnlyList<string>? Permissions { get; init; }
}

/// <summary>A message to send.</summary>
public sealed record SendMessageRequest
{
    /// <summary>The text.</summary>
    public string? Text { get; init; }

    /// <summary>The caller's own unattached uploads, in the order to show them.</summary>
    public IReadOnlyList<string>? MediaIds { get; init; }

    /// <summary>A message of the same room this one answers.</summary>
    public string? ReplyToId { get; init; }

    /// <summary>An idempotency key: repeating it returns the first message.</summary>
    public string? ClientMessageId { get; init; }

    /// <summary>A top-level message of the same room: the message is a reply in its thread.</summary>
    public string? ThreadId { get; init; }

    /// <summary>Ids of members of the room the message mentions (at most 50).</summary>
    public IReadOnlyList<string>? Mentions { get; init; }
}

/// <summary>Changes to a message; null leaves a field as it is.</summary>
public sealed record EditMessageRequest
{
    /// <summary>The new text.</summary>
    public string? Text { get; init; }

    /// <summary>The members the message mentions from now on (at most 50), replacing the earlier ones.</summary>
    public IReadOnlyList<string>? Mentions { get; init; }
}

/// <summary>A media upload.</summary>
/// <param name="FileName">The client's file name (metadata only).</param>
/// <param name="ContentType">The declared content type.</param>
/// <param name="Content">The bytes, read once up to the size limit.</param>
public sealed record UploadMediaRequest(string? FileName, string? ContentType, Stream Content);

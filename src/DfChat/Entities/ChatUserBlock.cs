namespace DfChat.Entities;

/// <summary>A user's block of another user: the blocked user can no longer reach the blocker.</summary>
/// <typeparam name="TUserKey">The key type of the host's user entity.</typeparam>
public class ChatUserBlock<TUserKey>
    where TUserKey : IEquatable<TUserKey>
{
    /// <summary>The block's id; a user's blocks page in the order they were made by it.</summary>
    public long Id { get; set; }

    /// <summary>The user who blocks.</summary>
    public TUserKey UserId { get; set; } = default!;

    /// <summary>The blocked user.</summary>
    public TUserKey BlockedUserId { get; set; } = default!;

    /// <summary>When the block was made (UTC).</summary>
    public DateTime CreatedAt { get; set; }
}

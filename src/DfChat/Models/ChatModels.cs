namespace DfChat.Models;

/// <summary>A user as the chat shows it.</summary>
public sealed record UserModel
{
    /// <summary>The user's id, as a string.</summary>
    public required string Id { get; init; }

    /// <summary>The name shown for the user.</summary>
    public required string DisplayName { get; init; }
}

/// <summary>A user with its presence (<c>GET /users/{userId}</c>).</summary>
public sealed record UserPresenceModel
{
    /// <summary>The user's id, as a string.</summary>
    public required string Id { get; init; }

    /// <summary>The name shown for the user.</summary>
    public required string DisplayName { get; init; }

    /// <summary>Whether one of the user's hub connections is open, on any node.</summary>
    public required bool Online { get; init; }

    /// <summary>Now while online; else when the user's last connection closed, or null when unknown.</summary>
    public DateTime? LastActiveAt { get; init; }
}

/// <summary>The payload of the hub's <c>presence</c> event: a user's first connection opened, or its last one closed.</summary>
public sealed record PresenceModel
{
    /// <summary>The user.</summary>
    public required string UserId { get; init; }

    /// <summary>Whether the user is now online.</summary>
    public required bool Online { get; init; }

    /// <summary>The moment of the change.</summary>
    public DateTime? LastActiveAt { get; init; }
}

/// <summary>A room, with the caller's membership.</summary>
public sealed record RoomModel
{
    /// <summary>The room's id.</summary>
    public required string Id { get; init; }

    /// <summary><c>private_messages</c>, <c>group</c> or <c>channel</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The room's name.</summary>
    public string? Name { get; init; }

    /// <summary>The room's description.</summary>
    public string? Description { get; init; }

    /// <summary>Whether any authenticated user may find, read and join it.</summary>
    public required bool IsPublic { get; init; }

    /// <summary>Where the avatar's content is served, or null.</summary>
    public string? AvatarUrl { get; init; }

    /// <summary>When the room was created.</summary>
    public required DateTime CreatedAt { get; init; }

    /// <summary>Who created the room; null once that user was erased.</summary>
    public required string? CreatedBy { get; init; }

    /// <summary>How many members it has.</summary>
    public required int MemberCount { get; init; }

    /// <summary>The newest message, or null.</summary>
    public MessageModel? LastMessage { get; init; }

    /// <summary>The time of the newest message, else the room's creation.</summary>
    public required DateTime LastActivityAt { get; init; }

    /// <summary>The caller's membership, or null when the caller is not a member.</summary>
    public MembershipModel? Membership { get; init; }

    /// <summary>The <c>seq</c> of the room's newest event: catch up with <c>GET /rooms/{roomId}/events?after=</c> from here.</summary>
    public long LastSeq { get; init; }

    /// <summary>Slow mode: members without <c>can_edit_room</c> send one top-level message per this many seconds; 0 is off.</summary>
    public int SlowModeSeconds { get; init; }

    /// <summary>Whether the room is frozen: only the owner and members with <c>can_edit_room</c> send, edit or react.</summary>
    public bool Frozen { get; init; }
}

/// <summary>The caller's own membership of a room.</summary>
public sealed record MembershipModel
{
    /// <summary>Whether the caller owns the room.</summary>
    public required bool IsOwner { get; init; }

    /// <summary>The caller's permissions, by their contract names.</summary>
    public required IReadOnlyList<string> Permissions { get; init; }

    /// <summary>Whether the caller muted the room.</summary>
    public required bool Muted { get; init; }

    /// <summary>The caller's read position.</summary>
    public required DateTime LastSeenAt { get; init; }

    /// <summary>Messages by others after <see cref="LastSeenAt"/>, deleted ones excluded.</summary>
    public required int UnreadCount { get; init; }

    /// <summary>The unread messages (as <see cref="UnreadCount"/> counts them) that mention the caller.</summary>
    public int MentionCount { get; init; }
}

/// <summary>A member of a room.</summary>
public sealed record MemberModel
{
    /// <summary>The room.</summary>
    public required string RoomId { get; init; }

    /// <summary>The member.</summary>
    public required string UserId { get; init; }

    /// <summary>The member's display name.</summary>
    public required string DisplayName { get; init; }

    /// <summary>Whether the member owns the room.</summary>
    public required bool IsOwner { get; init; }

    /// <summary>The member's permissions, by their contract names.</summary>
    public required IReadOnlyList<string> Permissions { get; init; }

    /// <summary>Whether the member muted the room.</summary>
    public required bool Muted { get; init; }

    /// <summary>The member's read position.</summary>
    public required DateTime LastSeenAt { get; init; }

    /// <summary>Who added the member; null once that user was erased.</summary>
    public required string? CreatedBy { get; init; }

    /// <summary>When the membership began.</summary>
    public required DateTime CreatedAt { get; init; }
}

/// <summary>A message.</summary>
public sealed record MessageModel
{
    /// <summary>The message's id.</summary>
    public required string Id { get; init; }

    /// <summary>The room.</summary>
    public required string RoomId { get; init; }

    /// <summary>The author's id; null once the author was erased and the message kept (anonymized).</summary>
    public required string? UserId { get; init; }

    /// <summary>The author, as <c>GET /users</c> shows it, so that clients need no second look-up; null like <see cref="UserId"/>.</summary>
    public required UserModel? User { get; init; }

    /// <summary>The text, or null.</summary>
    public string? Text { get; init; }

    /// <summary>The attached media, in the order the sender gave.</summary>
    public required IReadOnlyList<MediaModel> Media { get; init; }

    /// <summary>The reactions summed per value.</summary>
    public required IReadOnlyList<ReactionCountModel> Reactions { get; init; }

    /// <summary>The message this one answers, or null.</summary>
    public string? ReplyToId { get; init; }

    /// <summary>When it was posted.</summary>
    public required DateTime CreatedAt { get; init; }

    /// <summary>When it was last edited, or null.</summary>
    public DateTime? EditedAt { get; init; }

    /// <summary>For a thread reply, the top-level message whose thread it is in; null for a message of the room's own list.</summary>
    public string? ThreadId { get; init; }

    /// <summary>For a top-level message, how many replies its thread holds (0 for a reply).</summary>
    public int ThreadReplyCount { get; init; }

    /// <summary>For a top-level message, the time of its thread's newest reply, or null.</summary>
    public DateTime? ThreadLastReplyAt { get; init; }

    /// <summary>The ids of the members the message mentions, in the order given.</summary>
    public IReadOnlyList<string> Mentions { get; init; } = [];

    /// <summary>When the message was pinned, or null when it is not.</summary>
    public DateTime? PinnedAt { get; init; }

    /// <summary>Who pinned the message, or null when it is not pinned.</summary>
    public string? PinnedBy { get; init; }
}

/// <summary>An earlier version of a message's text.</summary>
public sealed record MessageVersionModel
{
    /// <summary>The text the message had, or null when it had none.</summary>
    public string? Text { get; init; }

    /// <summary>When an edit replaced this text.</summary>
    public required DateTime EditedAt { get; init; }
}

/// <summary>How many users reacted to a message with one value.</summary>
public sealed record ReactionCountModel
{
    /// <summary>The value.</summary>
    public required string Reaction { get; init; }

    /// <summary>How many users reacted so.</summary>
    public required int Count { get; init; }

    /// <summary>Whether the caller is one of them.</summary>
    public required bool Me { get; init; }
}

/// <summary>A stored file.</summary>
public sealed record MediaModel
{
    /// <summary>The media's id.</summary>
    public required string Id { get; init; }

    /// <summary>The content type.</summary>
    public required string ContentType { get; init; }

    /// <summary>The file name the uploader gave.</summary>
    public required string FileName { get; init; }

    /// <summary>The size in bytes.</summary>
    public required long Size { get; init; }

    /// <summary>Where the content is served.</summary>
    public required string Url { get; init; }

    /// <summary>When it was uploaded.</summary>
    public required DateTime CreatedAt { get; init; }
}

/// <summary>A user's reaction to a message.</summary>
public sealed record ReactionModel
{
    /// <summary>The reaction's id.</summary>
    public required string Id { get; init; }

    /// <summary>The room.</summary>
    public required string RoomId { get; init; }

    /// <summary>The message.</summary>
    public required string MessageId { get; init; }

    /// <summary>Who reacted.</summary>
    public required string UserId { get; init; }

    /// <summary>The value.</summary>
    public required string Reaction { get; init; }

    /// <summary>When.</summary>
    public required DateTime CreatedAt { get; init; }
}

/// <summary>One page of a list, and where the next begins.</summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed record PageModel<T>
{
    /// <summary>The items of this page.</summary>
    public required IReadOnlyList<T> Items { get; init; }

    /// <summary>The cursor of the next page, or null when there is none.</summary>
    public string? NextCursor { get; init; }
}

/// <summary>A stored media's content, opened for reading.</summary>
public sealed record MediaContent
{
    /// <summary>The media.</summary>
    public required MediaModel Media { get; init; }

    /// <summary>The bytes; the caller disposes it.</summary>
    public required Stream Content { get; init; }
}

/// <summary>One event of a room's log, for catch-up.</summary>
public sealed record EventModel
{
    /// <summary>The event's number in its room.</summary>
    public required long Seq { get; init; }

    /// <summary>The event's name, as the hub sends it (<c>messageCreated</c>, …).</summary>
    public required string Type { get; init; }

    /// <summary>The payload, as the hub sent it (with <c>seq</c>).</summary>
    public required System.Text.Json.JsonElement Payload { get; init; }

    /// <summary>When the change was committed.</summary>
    public required DateTime CreatedAt { get; init; }
}

/// <summary>
/// What the chat holds about one user (<c>GET /users/me/export</c>). Each list is read in keyset pages as it
/// is enumerated, once, in the scope that produced it; enumerate them one after the other.
/// </summary>
public sealed class ChatUserExport
{
    /// <summary>The user.</summary>
    public required UserModel User { get; init; }

    /// <summary>The user's memberships, in joining order.</summary>
    public required IAsyncEnumerable<MemberModel> Memberships { get; init; }

    /// <summary>The messages the user posted, each with its room id, oldest first.</summary>
    public required IAsyncEnumerable<MessageModel> Messages { get; init; }

    /// <summary>The user's reactions, oldest first.</summary>
    public required IAsyncEnumerable<ReactionModel> Reactions { get; init; }

    /// <summary>The user's uploads (metadata; the content is served by its <c>url</c>), oldest first.</summary>
    public required IAsyncEnumerable<MediaModel> Media { get; init; }
}

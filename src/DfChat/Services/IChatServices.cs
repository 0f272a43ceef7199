using DfChat.Models;

namespace DfChat.Services;

/// <summary>Rooms: listing, creating, changing, deleting, joining and reading.</summary>
/// <remarks>Every method takes the caller's user id as the contract's string; rules of API.md §3 hold here, not in endpoints.</remarks>
public interface IChatRoomService
{
    /// <summary>The caller's rooms, newest activity first.</summary>
    Task<ChatResult<PageModel<RoomModel>>> ListMineAsync(string callerId, string? type, string? search, PageRequest page, CancellationToken cancellationToken);

    /// <summary>Public rooms, member or not, newest activity first.</summary>
    Task<ChatResult<PageModel<RoomModel>>> ListPublicAsync(string callerId, string? search, PageRequest page, CancellationToken cancellationToken);

    /// <summary>Creates a room; for private messages, returns the pair's existing room when there is one (not <see cref="ChatResult{T}.Created"/>).</summary>
    Task<ChatResult<RoomModel>> CreateAsync(string callerId, CreateRoomRequest request, CancellationToken cancellationToken);

    /// <summary>A room the caller may read.</summary>
    Task<ChatResult<RoomModel>> GetAsync(string callerId, string roomId, CancellationToken cancellationToken);

    /// <summary>Changes a room (<c>can_edit_room</c>).</summary>
    Task<ChatResult<RoomModel>> UpdateAsync(string callerId, string roomId, UpdateRoomRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes a room with its members, messages, reactions and media (<c>can_delete_room</c>).</summary>
    Task<ChatResult> DeleteAsync(string callerId, string roomId, CancellationToken cancellationToken);

    /// <summary>Joins a public room; a member joining again changes nothing.</summary>
    Task<ChatResult<RoomModel>> JoinAsync(string callerId, string roomId, CancellationToken cancellationToken);

    /// <summary>Moves the caller's read position to a message of the room, or to now.</summary>
    Task<ChatResult<MembershipModel>> MarkReadAsync(string callerId, string roomId, string? messageId, CancellationToken cancellationToken);

    /// <summary>Tells the room's members that the caller is typing (members who may post); the caller throttles.</summary>
    Task<ChatResult> TypingAsync(string callerId, string roomId, CancellationToken cancellationToken);

    /// <summary>
    /// The room's events with a <c>seq</c> after <paramref name="after"/> (0 when null), oldest first; 410
    /// (<see cref="ChatErrorKind.Gone"/>) when some of them are past the retention period.
    /// </summary>
    Task<ChatResult<PageModel<EventModel>>> ListEventsAsync(string callerId, string roomId, string? after, PageRequest page, CancellationToken cancellationToken);

    /// <summary>Checks that the caller may follow a room without joining (any reader), and returns the room's id as stored.</summary>
    Task<ChatResult<string>> CanWatchAsync(string callerId, string roomId, CancellationToken cancellationToken);
}

/// <summary>Members of rooms and their permissions.</summary>
public interface IChatMemberService
{
    /// <summary>The members of a room the caller may read, in joining order.</summary>
    Task<ChatResult<PageModel<MemberModel>>> ListAsync(string callerId, string roomId, PageRequest page, CancellationToken cancellationToken);

    /// <summary>Adds a member (<c>can_add_users</c>; explicit permissions only those the caller holds).</summary>
    Task<ChatResult<MemberModel>> AddAsync(string callerId, string roomId, AddMemberRequest request, CancellationToken cancellationToken);

    /// <summary>One member; <paramref name="userId"/> may be <c>me</c>.</summary>
    Task<ChatResult<MemberModel>> GetAsync(string callerId, string roomId, string userId, CancellationToken cancellationToken);

    /// <summary>Changes a membership: mute and read position by the member itself, permissions by the owner.</summary>
    Task<ChatResult<MemberModel>> UpdateAsync(string callerId, string roomId, string userId, UpdateMemberRequest request, CancellationToken cancellationToken);

    /// <summary>Removes a member (<c>can_remove_users</c>), or the caller itself (leave).</summary>
    Task<ChatResult> RemoveAsync(string callerId, string roomId, string userId, CancellationToken cancellationToken);
}

/// <summary>Messages of rooms.</summary>
public interface IChatMessageService
{
    /// <summary>A page of messages, newest first.</summary>
    Task<ChatResult<PageModel<MessageModel>>> ListAsync(string callerId, string roomId, PageRequest page, CancellationToken cancellationToken);

    /// <summary>Messages newer than <paramref name="afterMessageId"/>, oldest first: the catch-up after a reconnect.</summary>
    Task<ChatResult<PageModel<MessageModel>>> ListAfterAsync(string callerId, string roomId, string afterMessageId, PageRequest page, CancellationToken cancellationToken);

    /// <summary>Sends a message (<c>can_create_messages</c>); a repeated client message id returns the first message.</summary>
    Task<ChatResult<MessageModel>> SendAsync(string callerId, string roomId, SendMessageRequest request, CancellationToken cancellationToken);

    /// <summary>One message.</summary>
    Task<ChatResult<MessageModel>> GetAsync(string callerId, string roomId, string messageId, CancellationToken cancellationToken);

    /// <summary>Replaces a message's text.</summary>
    Task<ChatResult<MessageModel>> EditAsync(string callerId, string roomId, string messageId, string? text, CancellationToken cancellationToken);

    /// <summary>Replaces a message's text, its mentions, or both; null leaves a field as it is.</summary>
    Task<ChatResult<MessageModel>> EditAsync(string callerId, string roomId, string messageId, EditMessageRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes a message with its reactions and attached media.</summary>
    Task<ChatResult> DeleteAsync(string callerId, string roomId, string messageId, CancellationToken cancellationToken);
}

/// <summary>Threads, pins, edit history and read receipts (API.md §8).</summary>
public interface IChatConversationService
{
    /// <summary>The replies in a message's thread, oldest first.</summary>
    Task<ChatResult<PageModel<MessageModel>>> ListThreadAsync(string callerId, string roomId, string messageId, PageRequest page, CancellationToken cancellationToken);

    /// <summary>Pins a message (<c>can_edit_room</c>; in private rooms either member); at most 50 a room.</summary>
    Task<ChatResult<MessageModel>> PinAsync(string callerId, string roomId, string messageId, CancellationToken cancellationToken);

    /// <summary>Unpins a message (as <see cref="PinAsync"/>).</summary>
    Task<ChatResult<MessageModel>> UnpinAsync(string callerId, string roomId, string messageId, CancellationToken cancellationToken);

    /// <summary>The room's pinned messages, newest pin first.</summary>
    Task<ChatResult<PageModel<MessageModel>>> ListPinsAsync(string callerId, string roomId, PageRequest page, CancellationToken cancellationToken);

    /// <summary>A message's earlier versions, newest first.</summary>
    Task<ChatResult<PageModel<MessageVersionModel>>> ListHistoryAsync(string callerId, string roomId, string messageId, PageRequest page, CancellationToken cancellationToken);

    /// <summary>The members other than its author whose read position is at or after a message, in read order.</summary>
    Task<ChatResult<PageModel<MemberModel>>> ListReadersAsync(string callerId, string roomId, string messageId, PageRequest page, CancellationToken cancellationToken);
}

/// <summary>Reactions to messages.</summary>
public interface IChatReactionService
{
    /// <summary>The reactions to one message.</summary>
    Task<ChatResult<PageModel<ReactionModel>>> ListForMessageAsync(string callerId, string roomId, string messageId, PageRequest page, CancellationToken cancellationToken);

    /// <summary>The caller's own reactions, newest first.</summary>
    Task<ChatResult<PageModel<ReactionModel>>> ListMineAsync(string callerId, PageRequest page, CancellationToken cancellationToken);

    /// <summary>Reacts to a message (members only); the same value again returns the existing reaction.</summary>
    Task<ChatResult<ReactionModel>> AddAsync(string callerId, string roomId, string messageId, string? reaction, CancellationToken cancellationToken);

    /// <summary>One reaction, for readers of its room.</summary>
    Task<ChatResult<ReactionModel>> GetAsync(string callerId, string reactionId, CancellationToken cancellationToken);

    /// <summary>Deletes a reaction: its author, or a member with <c>can_delete_messages</c>.</summary>
    Task<ChatResult> DeleteAsync(string callerId, string reactionId, CancellationToken cancellationToken);
}

/// <summary>Uploaded files.</summary>
public interface IChatMediaService
{
    /// <summary>Stores an upload, enforcing the size limit while reading and the allowed types.</summary>
    Task<ChatResult<MediaModel>> UploadAsync(string callerId, UploadMediaRequest request, CancellationToken cancellationToken);

    /// <summary>A media the caller may see.</summary>
    Task<ChatResult<MediaModel>> GetAsync(string callerId, string mediaId, CancellationToken cancellationToken);

    /// <summary>Opens a media's bytes for a caller who may see it.</summary>
    Task<ChatResult<MediaContent>> OpenAsync(string callerId, string mediaId, CancellationToken cancellationToken);
}

/// <summary>The host's users, as the chat shows them.</summary>
public interface IChatUserService
{
    /// <summary>The caller.</summary>
    Task<ChatResult<UserModel>> GetMeAsync(string callerId, CancellationToken cancellationToken);

    /// <summary>Users whose display name or user name contains <paramref name="search"/>, case-insensitive.</summary>
    Task<ChatResult<PageModel<UserModel>>> SearchAsync(string callerId, string? search, int? limit, CancellationToken cancellationToken);

    /// <summary>A user who shares a room with the caller (or the caller, <c>me</c>), with its presence; 404 for anyone else.</summary>
    Task<ChatResult<UserPresenceModel>> GetAsync(string callerId, string userId, CancellationToken cancellationToken);
}

/// <summary>Full-text search of messages (API.md §8).</summary>
public interface IChatSearchService
{
    /// <summary>
    /// Messages whose current text holds every word of <paramref name="q"/> (case and diacritics ignored, the
    /// last word also as a prefix), newest first: from the caller's rooms, or with <paramref name="roomId"/>
    /// from that room if the caller may read it (404 otherwise).
    /// </summary>
    Task<ChatResult<PageModel<MessageModel>>> SearchMessagesAsync(string callerId, string? q, string? roomId, PageRequest page, CancellationToken cancellationToken);
}

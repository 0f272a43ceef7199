using DfChat.Models;
using DfChat.Services;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Infrastructure;

/// <summary>
/// The chat services as one user calls them. Every call runs in a new scope (a fresh DbContext, as a
/// request gets) after the host's clock moved one step, so calls happen at distinct instants.
/// </summary>
public sealed class ChatCaller(string id, Func<Func<IServiceProvider, Task<object?>>, Task<object?>> run)
{
    public string Id { get; } = id;

    private static CancellationToken None => CancellationToken.None;

    private async Task<T> Call<TService, T>(Func<TService, Task<T>> call)
        where TService : notnull =>
        (T)(await run(async sp => await call(sp.GetRequiredService<TService>())))!;

    public override string ToString() => Id;

    // Users
    public Task<ChatResult<UserModel>> GetMeAsync() => Call<IChatUserService, ChatResult<UserModel>>(s => s.GetMeAsync(Id, None));

    public Task<ChatResult<PageModel<UserModel>>> SearchUsersAsync(string? search, int? limit = null) =>
        Call<IChatUserService, ChatResult<PageModel<UserModel>>>(s => s.SearchAsync(Id, search, limit, None));

    // Rooms
    public Task<ChatResult<PageModel<RoomModel>>> ListRoomsAsync(string? type = null, string? search = null, PageRequest? page = null) =>
        Call<IChatRoomService, ChatResult<PageModel<RoomModel>>>(s => s.ListMineAsync(Id, type, search, page ?? new PageRequest(), None));

    public Task<ChatResult<PageModel<RoomModel>>> ListPublicRoomsAsync(string? search = null, PageRequest? page = null) =>
        Call<IChatRoomService, ChatResult<PageModel<RoomModel>>>(s => s.ListPublicAsync(Id, search, page ?? new PageRequest(), None));

    public Task<ChatResult<RoomModel>> CreateRoomAsync(CreateRoomRequest request) =>
        Call<IChatRoomService, ChatResult<RoomModel>>(s => s.CreateAsync(Id, request, None));

    public Task<ChatResult<RoomModel>> CreateGroupAsync(string name, params ChatCaller[] others) =>
        CreateRoomAsync(new CreateRoomRequest { Type = "group", Name = name, UserIds = others.Select(o => o.Id).ToArray() });

    public Task<ChatResult<RoomModel>> CreateChannelAsync(string name, bool isPublic = false, params ChatCaller[] others) =>
        CreateRoomAsync(new CreateRoomRequest { Type = "channel", Name = name, IsPublic = isPublic, UserIds = others.Select(o => o.Id).ToArray() });

    public Task<ChatResult<RoomModel>> CreatePrivateAsync(ChatCaller other) =>
        CreateRoomAsync(new CreateRoomRequest { Type = "private_messages", UserIds = [other.Id] });

    public Task<ChatResult<RoomModel>> GetRoomAsync(string roomId) =>
        Call<IChatRoomService, ChatResult<RoomModel>>(s => s.GetAsync(Id, roomId, None));

    public Task<ChatResult<RoomModel>> UpdateRoomAsync(string roomId, UpdateRoomRequest request) =>
        Call<IChatRoomService, ChatResult<RoomModel>>(s => s.UpdateAsync(Id, roomId, request, None));

    public Task<ChatResult> DeleteRoomAsync(string roomId) =>
        Call<IChatRoomService, ChatResult>(s => s.DeleteAsync(Id, roomId, None));

    public Task<ChatResult<RoomModel>> JoinAsync(string roomId) =>
        Call<IChatRoomService, ChatResult<RoomModel>>(s => s.JoinAsync(Id, roomId, None));

    public Task<ChatResult<MembershipModel>> MarkReadAsync(string roomId, string? messageId = null) =>
        Call<IChatRoomService, ChatResult<MembershipModel>>(s => s.MarkReadAsync(Id, roomId, messageId, None));

    public Task<ChatResult<PageModel<EventModel>>> ListEventsAsync(string roomId, string? after, PageRequest? page = null) =>
        Call<IChatRoomService, ChatResult<PageModel<EventModel>>>(s => s.ListEventsAsync(Id, roomId, after, page ?? new PageRequest(), None));

    // Members
    public Task<ChatResult<PageModel<MemberModel>>> ListMembersAsync(string roomId, PageRequest? page = null) =>
        Call<IChatMemberService, ChatResult<PageModel<MemberModel>>>(s => s.ListAsync(Id, roomId, page ?? new PageRequest(), None));

    public Task<ChatResult<MemberModel>> AddMemberAsync(string roomId, string userId, params string[]? permissions) =>
        Call<IChatMemberService, ChatResult<MemberModel>>(s => s.AddAsync(Id, roomId, new AddMemberRequest { UserId = userId, Permissions = permissions }, None));

    public Task<ChatResult<MemberModel>> AddMemberWithDefaultsAsync(string roomId, string userId) =>
        Call<IChatMemberService, ChatResult<MemberModel>>(s => s.AddAsync(Id, roomId, new AddMemberRequest { UserId = userId }, None));

    public Task<ChatResult<MemberModel>> GetMemberAsync(string roomId, string userId) =>
        Call<IChatMemberService, ChatResult<MemberModel>>(s => s.GetAsync(Id, roomId, userId, None));

    public Task<ChatResult<MemberModel>> UpdateMemberAsync(string roomId, string userId, UpdateMemberRequest request) =>
        Call<IChatMemberService, ChatResult<MemberModel>>(s => s.UpdateAsync(Id, roomId, userId, request, None));

    public Task<ChatResult> RemoveMemberAsync(string roomId, string userId) =>
        Call<IChatMemberService, ChatResult>(s => s.RemoveAsync(Id, roomId, userId, None));

    // Messages
    public Task<ChatResult<PageModel<MessageModel>>> ListMessagesAsync(string roomId, PageRequest? page = null) =>
        Call<IChatMessageService, ChatResult<PageModel<MessageModel>>>(s => s.ListAsync(Id, roomId, page ?? new PageRequest(), None));

    public Task<ChatResult<PageModel<MessageModel>>> ListMessagesAfterAsync(string roomId, string afterMessageId, PageRequest? page = null) =>
        Call<IChatMessageService, ChatResult<PageModel<MessageModel>>>(s => s.ListAfterAsync(Id, roomId, afterMessageId, page ?? new PageRequest(), None));

    public Task<ChatResult<MessageModel>> SendAsync(string roomId, SendMessageRequest request) =>
        Call<IChatMessageService, ChatResult<MessageModel>>(s => s.SendAsync(Id, roomId, request, None));

    public Task<ChatResult<MessageModel>> SendAsync(string roomId, string text) =>
        SendAsync(roomId, new SendMessageRequest { Text = text });

    public Task<ChatResult<MessageModel>> GetMessageAsync(string roomId, string messageId) =>
        Call<IChatMessageService, ChatResult<MessageModel>>(s => s.GetAsync(Id, roomId, messageId, None));

    public Task<ChatResult<MessageModel>> PinAsync(string roomId, string messageId) =>
        Call<IChatConversationService, ChatResult<MessageModel>>(s => s.PinAsync(Id, roomId, messageId, None));

    public Task<ChatResult<MessageModel>> EditMessageAsync(string roomId, string messageId, string? text) =>
        Call<IChatMessageService, ChatResult<MessageModel>>(s => s.EditAsync(Id, roomId, messageId, text, None));

    public Task<ChatResult> DeleteMessageAsync(string roomId, string messageId) =>
        Call<IChatMessageService, ChatResult>(s => s.DeleteAsync(Id, roomId, messageId, None));

    // Search
    public Task<ChatResult<PageModel<MessageModel>>> SearchMessagesAsync(string? q, string? roomId = null, PageRequest? page = null) =>
        Call<IChatSearchService, ChatResult<PageModel<MessageModel>>>(s => s.SearchMessagesAsync(Id, q, roomId, page ?? new PageRequest(), None));

    // Reactions
    public Task<ChatResult<PageModel<ReactionModel>>> ListReactionsAsync(string roomId, string messageId, PageRequest? page = null) =>
        Call<IChatReactionService, ChatResult<PageModel<ReactionModel>>>(s => s.ListForMessageAsync(Id, roomId, messageId, page ?? new PageRequest(), None));

    public Task<ChatResult<PageModel<ReactionModel>>> ListMyReactionsAsync(PageRequest? page = null) =>
        Call<IChatReactionService, ChatResult<PageModel<ReactionModel>>>(s => s.ListMineAsync(Id, page ?? new PageRequest(), None));

    public Task<ChatResult<ReactionModel>> ReactAsync(string roomId, string messageId, string? reaction) =>
        Call<IChatReactionService, ChatResult<ReactionModel>>(s => s.AddAsync(Id, roomId, messageId, reaction, None));

    public Task<ChatResult<ReactionModel>> GetReactionAsync(string reactionId) =>
        Call<IChatReactionService, ChatResult<ReactionModel>>(s => s.GetAsync(Id, reactionId, None));

    public Task<ChatResult> DeleteReactionAsync(string reactionId) =>
        Call<IChatReactionService, ChatResult>(s => s.DeleteAsync(Id, reactionId, None));

    // Media
    public Task<ChatResult<MediaModel>> UploadAsync(byte[] content, string contentType = "image/png", string fileName = "picture.png") =>
        Call<IChatMediaService, ChatResult<MediaModel>>(s => s.UploadAsync(Id, new UploadMediaRequest(fileName, contentType, new MemoryStream(content)), None));

    public Task<ChatResult<MediaModel>> UploadAsync(Stream content, string contentType, string fileName) =>
        Call<IChatMediaService, ChatResult<MediaModel>>(s => s.UploadAsync(Id, new UploadMediaRequest(fileName, contentType, content), None));

    public Task<ChatResult<MediaModel>> GetMediaAsync(string mediaId) =>
        Call<IChatMediaService, ChatResult<MediaModel>>(s => s.GetAsync(Id, mediaId, None));

    public Task<ChatResult<MediaContent>> OpenMediaAsync(string mediaId) =>
        Call<IChatMediaService, ChatResult<MediaContent>>(s => s.OpenAsync(Id, mediaId, None));
}

using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Rules;
using DfChat.Services;
using DfChat.Writes;
using Microsoft.EntityFrameworkCore;

namespace DfChat;

/// <summary>Bans and ownership transfer, by the rules of <see cref="RoomRules"/>, through the room's write path.</summary>
internal sealed class ModerationService<TUser, TKey>(ChatStore<TUser, TKey> store, RoomWrites<TUser, TKey> writes, TimeProvider clock) : IChatModerationService
    where TUser : class
    where TKey : IEquatable<TKey>
{
    private const int MaxReasonLength = 1000;

    public async Task<ChatResult<BanModel>> BanAsync(string callerId, string roomId, BanRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;

        // The host's filter is asked here, in the request's scope: the write runs in a batch of its own.
        var findable = await store.Users.FilterOfAsync(caller, cancellationToken);
        return await writes.InRoomAsync(caller, roomId, async w =>
        {
            var store = w.Store;
            var room = w.Room;
            if (RoomRules.CanManageBans(w.Access) is { } denied)
                return denied;
            if (!UserKey<TKey>.TryParse(request.UserId, out var userId))
                return ChatError.Invalid("userId", "userId must be a user.");
            if (request.Reason is { Length: > MaxReasonLength })
                return ChatError.Invalid("reason", $"reason must be at most {MaxReasonLength} characters.");
            DateTime? expiresAt = request.ExpiresAt is { } at ? ChatStore<TUser, TKey>.Truncate(at) : null;
            if (expiresAt <= w.Now)
                return ChatError.Invalid("expiresAt", "expiresAt must be in the future.");
            if ((await store.Users.FindableAsync(caller, [userId], findable, CancellationToken.None)).Count == 0)
                return ChatError.Invalid("userId", "userId must be a user.");

            var target = await store.Members.FirstOrDefaultAsync(m => m.RoomId == room.Id && m.UserId.Equals(userId), CancellationToken.None);
            if (RoomRules.CanBan(w.Access, userId, target) is { } refused)
                return refused;

            var ban = await store.Bans.FirstOrDefaultAsync(b => b.RoomId == room.Id && b.UserId.Equals(userId), CancellationToken.None);
            var created = ban is null;
            if (ban is null)
            {
                ban = new ChatRoomBan<TKey> { RoomId = room.Id, UserId = userId };
                store.Bans.Add(ban);
            }

            ban.Reason = string.IsNullOrEmpty(request.Reason) ? null : request.Reason;
            ban.ExpiresAt = expiresAt;
            ban.CreatedBy = caller;
            ban.CreatedAt = w.Now;

            if (target is not null)
            {
                store.Members.Remove(target);
                room.MemberCount--;
                var removedId = UserKey<TKey>.Format(userId);
                w.Record(ChatEventNames.MemberRemoved, new MemberRemovedPayload(EntityId.Format(room.Id), removedId), [removedId]);
            }

            await w.SaveAsync();
            var model = ToModel(ban);
            return created ? ChatResult<BanModel>.New(model) : ChatResult<BanModel>.Ok(model);
        }, cancellationToken);
    }

    public async Task<ChatResult<PageModel<BanModel>>> ListBansAsync(string callerId, string roomId, PageRequest page, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        if (RoomRules.CanManageBans(access) is { } denied)
            return denied;
        var scope = "bans:" + access.Room.Id;
        if (store.ValidatePage(page, scope, out var limit, out var cursor) is { } invalid)
            return invalid;

        var now = clock.GetUtcNow().UtcDateTime;
        var query = store.Bans.AsNoTracking().Where(b => b.RoomId == access.Room.Id && (b.ExpiresAt == null || b.ExpiresAt > now));
        if (cursor is { } c)
            query = query.Where(b => b.Id > c.Id);
        var rows = await query.OrderBy(b => b.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, scope, b => (0, b.Id));
        return ChatResult<PageModel<BanModel>>.Ok(new PageModel<BanModel> { Items = items.ConvertAll(ToModel), NextCursor = next });
    }

    public async Task<ChatResult> UnbanAsync(string callerId, string roomId, string userId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        var result = await writes.InRoomAsync<bool>(caller, roomId, async w =>
        {
            if (RoomRules.CanManageBans(w.Access) is { } denied)
                return denied;
            if (!UserKey<TKey>.TryParse(userId, out var banned))
                return ChatError.NotFound("ban");
            var roomKey = w.Room.Id;
            var ban = await w.Store.Bans.FirstOrDefaultAsync(b => b.RoomId == roomKey && b.UserId.Equals(banned), CancellationToken.None);
            if (ban is null)
                return ChatError.NotFound("ban");

            // An expired ban is gone already as far as anyone can tell: remove the row, answer as for none.
            w.Store.Bans.Remove(ban);
            await w.SaveAsync();
            return RoomRules.IsInForce(ban, w.Now) ? ChatResult<bool>.Ok(true) : ChatError.NotFound("ban");
        }, cancellationToken);
        return result.Succeeded ? ChatResult.Ok : result.Error!;
    }

    public async Task<ChatResult<RoomModel>> TransferOwnershipAsync(string callerId, string roomId, UserIdRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        return await writes.InRoomAsync(caller, roomId, async w =>
        {
            var store = w.Store;
            var room = w.Room;
            ChatRoomUser<TKey>? target = null;
            if (request.UserId == "me")
                target = w.Member;
            else if (UserKey<TKey>.TryParse(request.UserId, out var userId))
                target = await store.Members.FirstOrDefaultAsync(m => m.RoomId == room.Id && m.UserId.Equals(userId), CancellationToken.None);
            if (RoomRules.CanTransferOwnership(w.Access, target) is { } denied)
                return denied;

            var former = w.Member!;
            if (target!.UserId.Equals(caller))
                return ChatResult<RoomModel>.Ok(await store.BuildRoomAsync(room, former, caller, CancellationToken.None));

            // The former owner keeps what it held, every permission, but is no longer protected: it may leave.
            former.IsOwner = false;
            former.Permissions = ChatPermissions.All;
            target.IsOwner = true;
            target.Permissions = ChatPermissions.All;
            await w.SaveAsync();
            var models = await store.BuildMembersAsync([former, target], CancellationToken.None);
            foreach (var model in models)
                w.Record(ChatEventNames.MemberUpdated, model);
            var answer = await store.BuildRoomAsync(room, former, caller, CancellationToken.None);
            return ChatResult<RoomModel>.Ok(answer with { LastSeq = room.LastSeq });
        }, cancellationToken);
    }

    private static BanModel ToModel(ChatRoomBan<TKey> ban) => new()
    {
        RoomId = EntityId.Format(ban.RoomId),
        UserId = UserKey<TKey>.Format(ban.UserId),
        Reason = ban.Reason,
        ExpiresAt = ban.ExpiresAt,
        CreatedBy = UserKey<TKey>.Format(ban.CreatedBy),
        CreatedAt = ban.CreatedAt,
    };
}

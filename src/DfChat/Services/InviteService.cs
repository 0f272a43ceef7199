using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Rules;
using DfChat.Services;
using DfChat.Writes;
using Microsoft.EntityFrameworkCore;

namespace DfChat;

/// <summary>
/// Invitations: made and revoked by members with <c>can_add_users</c>, accepted by anyone holding the
/// token. An acceptance spends one use with a conditional update under the room's lock, so that racing
/// acceptances of an invitation with <c>maxUses</c> N admit exactly N users.
/// </summary>
internal sealed class InviteService<TUser, TKey>(ChatStore<TUser, TKey> store, RoomWrites<TUser, TKey> writes) : IChatInviteService
    where TUser : class
    where TKey : IEquatable<TKey>
{
    private static readonly ChatError InviteNotFound = ChatError.NotFound("invite");

    public async Task<ChatResult<InviteModel>> CreateAsync(string callerId, string roomId, CreateInviteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        return await writes.InRoomAsync(caller, roomId, async w =>
        {
            if (RoomRules.CanManageInvites(w.Access) is { } denied)
                return denied;
            if (request.MaxUses is < 1)
                return ChatError.Invalid("maxUses", "maxUses must be at least 1.");
            DateTime? expiresAt = request.ExpiresAt is { } at ? ChatStore<TUser, TKey>.Truncate(at) : null;
            if (expiresAt <= w.Now)
                return ChatError.Invalid("expiresAt", "expiresAt must be in the future.");

            var token = InviteTokens.New();
            var invite = new ChatRoomInvite<TKey>
            {
                RoomId = w.Room.Id,
                TokenHash = InviteTokens.Hash(token),
                ExpiresAt = expiresAt,
                MaxUses = request.MaxUses,
                CreatedBy = caller,
                CreatedAt = w.Now,
            };
            w.Store.Invites.Add(invite);
            await w.SaveAsync();
            return ChatResult<InviteModel>.New(ToModel(invite) with { Token = token });
        }, cancellationToken);
    }

    public async Task<ChatResult<PageModel<InviteModel>>> ListAsync(string callerId, string roomId, PageRequest page, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        if (RoomRules.CanManageInvites(access) is { } denied)
            return denied;
        var scope = "invites:" + access.Room.Id;
        if (store.ValidatePage(page, scope, out var limit, out var cursor) is { } invalid)
            return invalid;

        var query = store.Invites.AsNoTracking().Where(i => i.RoomId == access.Room.Id);
        if (cursor is { } c)
            query = query.Where(i => i.Id > c.Id);
        var rows = await query.OrderBy(i => i.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, scope, i => (0, i.Id));
        return ChatResult<PageModel<InviteModel>>.Ok(new PageModel<InviteModel> { Items = items.ConvertAll(ToModel), NextCursor = next });
    }

    public async Task<ChatResult> RevokeAsync(string callerId, string roomId, string tokenOrId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        var result = await writes.InRoomAsync<bool>(caller, roomId, async w =>
        {
            if (RoomRules.CanManageInvites(w.Access) is { } denied)
                return denied;
            var roomKey = w.Room.Id;
            ChatRoomInvite<TKey>? invite = null;
            if (EntityId.TryParse(tokenOrId, out var id))
            {
                invite = await w.Store.Invites.FirstOrDefaultAsync(i => i.Id == id && i.RoomId == roomKey, CancellationToken.None);
            }
            else if (InviteTokens.IsPlausible(tokenOrId))
            {
                var hash = InviteTokens.Hash(tokenOrId);
                invite = await w.Store.Invites.FirstOrDefaultAsync(i => i.TokenHash == hash && i.RoomId == roomKey, CancellationToken.None);
                if (invite is not null && !InviteTokens.Matches(invite.TokenHash, tokenOrId))
                    invite = null;
            }

            if (invite is null)
                return InviteNotFound;
            w.Store.Invites.Remove(invite);
            await w.SaveAsync();
            return ChatResult<bool>.Ok(true);
        }, cancellationToken);
        return result.Succeeded ? ChatResult.Ok : result.Error!;
    }

    public async Task<ChatResult<RoomModel>> AcceptAsync(string callerId, string token, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (!InviteTokens.IsPlausible(token))
            return InviteNotFound;
        var hash = InviteTokens.Hash(token);
        var found = await store.Invites.AsNoTracking().Where(i => i.TokenHash == hash)
            .Select(i => new { i.Id, i.RoomId, i.TokenHash }).FirstOrDefaultAsync(cancellationToken);
        if (found is null || !InviteTokens.Matches(found.TokenHash, token))
            return InviteNotFound;

        return await writes.InRoomAsInviteeAsync(caller, found.RoomId, async w =>
        {
            var store = w.Store;
            var room = w.Room;
            if (w.Member is { } member)
                return ChatResult<RoomModel>.Ok(await store.BuildRoomAsync(room, member, caller, CancellationToken.None));
            var now = w.Now;
            if (await store.IsBannedAsync(room.Id, caller, now))
                return ChatError.Banned;

            // Spends one use only if one is left and the invitation still stands: under the room's lock, so
            // concurrent acceptances take their turn and the last use goes to exactly one of them.
            var spent = await store.Invites
                .Where(i => i.Id == found.Id && (i.ExpiresAt == null || i.ExpiresAt > now) && (i.MaxUses == null || i.Uses < i.MaxUses))
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Uses, i => i.Uses + 1), CancellationToken.None);
            if (spent == 0)
                return InviteNotFound;

            var joined = RoomRules.NewMember(room, caller, caller, null, isOwner: false, now);
            store.Members.Add(joined);
            room.MemberCount++;
            await w.SaveAsync();
            w.Record(ChatEventNames.MemberAdded, await store.BuildMemberAsync(joined, CancellationToken.None), [UserKey<TKey>.Format(caller)]);
            var model = await store.BuildRoomAsync(room, joined, caller, CancellationToken.None);
            return ChatResult<RoomModel>.Ok(model with { LastSeq = room.LastSeq });
        }, cancellationToken);
    }

    private static InviteModel ToModel(ChatRoomInvite<TKey> invite) => new()
    {
        Id = EntityId.Format(invite.Id),
        RoomId = EntityId.Format(invite.RoomId),
        ExpiresAt = invite.ExpiresAt,
        MaxUses = invite.MaxUses,
        Uses = invite.Uses,
        CreatedBy = UserKey<TKey>.Format(invite.CreatedBy),
        CreatedAt = invite.CreatedAt,
    };
}

using DfChat.Entities;
using DfChat.Models;
using DfChat.Options;
using DfChat.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DfChat.Services;

/// <summary>The part of <see cref="ChatStore{TUser, TKey}"/> that decides who reads what: a room a caller may read, its readable page, bans and blocks.</summary>
internal sealed partial class ChatStore<TUser, TKey>
    where TUser : class
    where TKey : IEquatable<TKey>
{
    /// <summary>Whether <paramref name="userId"/> is banned from the room at <paramref name="now"/> (<see cref="RoomRules.IsInForce"/>, in SQL).</summary>
    public Task<bool> IsBannedAsync(long roomId, TKey userId, DateTime now) =>
        Bans.AnyAsync(b => b.RoomId == roomId && b.UserId.Equals(userId) && (b.ExpiresAt == null || b.ExpiresAt > now), CancellationToken.None);

    /// <summary>Whether any of <paramref name="users"/> blocked <paramref name="caller"/>.</summary>
    public Task<bool> IsBlockedByAnyAsync(IReadOnlyCollection<TKey> users, TKey caller) =>
        users.Count == 0
            ? Task.FromResult(false)
            : Blocks.AnyAsync(b => b.BlockedUserId.Equals(caller) && users.Contains(b.UserId), CancellationToken.None);

    /// <summary>Whether another member of the room blocked <paramref name="caller"/>.</summary>
    public Task<bool> IsBlockedInRoomAsync(long roomId, TKey caller) =>
        Blocks.AnyAsync(b => b.BlockedUserId.Equals(caller) && Members.Any(m => m.RoomId == roomId && m.UserId.Equals(b.UserId)), CancellationToken.None);

    /// <summary>The room and the caller's membership, or null when the room does not exist or the caller may not read it.</summary>
    public async Task<RoomAccess<TKey>?> FindReadableAsync(string? roomId, TKey caller, CancellationToken cancellationToken)
    {
        if (!EntityId.TryParse(roomId, out var id))
            return null;
        var access = await queries.RoomAsync(Db, id, caller, cancellationToken);
        return access is not null && RoomRules.CanRead(access.Room, access.Member) ? access : null;
    }

    /// <summary>
    /// A page of the room's messages older than <paramref name="before"/>, newest first (or newer than
    /// <paramref name="after"/>, oldest first), with each author's display name and whether each message has
    /// media or reactions, in one statement compiled once (<see cref="ChatReadQueries{TUser, TKey}"/>). The
    /// statement returns nothing unless <paramref name="caller"/> may read the room (<see cref="RoomRules.CanRead"/>).
    /// <see cref="BuildPageAsync"/> then queries media and reactions only when there are some.
    /// </summary>
    public async Task<List<MessageRow<TKey>>> ReadablePageAsync(long roomId, TKey caller, long? before, long? after, int take, CancellationToken cancellationToken)
    {
        var rows = after is { } newer
            ? queries.After(Db, roomId, caller, newer, take)
            : queries.Before(Db, roomId, caller, before ?? long.MaxValue, take);
        var page = new List<MessageRow<TKey>>(take);
        await foreach (var row in rows.WithCancellation(cancellationToken))
            page.Add(row);
        return page;
    }

    /// <summary>
    /// Opens the context's connection until the result is disposed, so that a request's statements share it:
    /// EF Core otherwise opens and closes it around each one. A connection the host already opened stays open.
    /// </summary>
    public async Task<IAsyncDisposable> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        await Db.Database.OpenConnectionAsync(cancellationToken);
        return new ConnectionLease(Db);
    }

    private sealed class ConnectionLease(DbContext db) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await db.Database.CloseConnectionAsync();
    }
}

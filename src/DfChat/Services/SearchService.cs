using DfChat.Entities;
using DfChat.EntityFrameworkCore;
using DfChat.Models;
using DfChat.Rules;
using DfChat.Services;
using Microsoft.EntityFrameworkCore;

namespace DfChat;

/// <summary>
/// Full-text search of messages (API.md §8) on the index of <see cref="ChatSearchIndex"/>: the caller's
/// rooms, or one room it may read, newest first, with keyset paging.
/// </summary>
/// <remarks>
/// Which rooms the caller may read is a condition of the one statement that finds the messages, never a
/// filter over its result: a page is full whenever enough readable messages match, however many
/// messages of other rooms match too.
/// </remarks>
internal sealed class SearchService<TUser, TKey>(ChatStore<TUser, TKey> store, ChatSearchIndex index) : IChatSearchService
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public async Task<ChatResult<PageModel<MessageModel>>> SearchMessagesAsync(string callerId, string? q, string? roomId, PageRequest page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;

        long? room = null;
        if (roomId is not null)
        {
            // Outsiders learn nothing about the room, not even that their search is malformed.
            if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
                return ChatError.RoomNotFound;
            room = access.Room.Id;
        }

        if (SearchTerms.TryParse(q, out var terms) is { } invalid)
            return invalid;
        var scope = $"search:{room}:{terms.Digest()}";
        if (store.ValidatePage(page, scope, out var limit, out var cursor) is { } badPage)
            return badPage;
        if (terms.Words.Count == 0)
            return ChatResult<PageModel<MessageModel>>.Ok(new PageModel<MessageModel> { Items = [], NextCursor = null });

        var db = store.Db;
        await index.EnsureAsync(db, cancellationToken);
        var before = cursor?.Id ?? long.MaxValue;
        var messages = Readable(Matches(db, terms), caller, room)
            .Where(m => m.Id < before)
            .OrderByDescending(m => m.Id)
            .Take(limit + 1);
        var rows = await messages.ToListAsync(cancellationToken);
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, scope, m => (0, m.Id));
        return ChatResult<PageModel<MessageModel>>.Ok(new PageModel<MessageModel>
        {
            Items = await store.BuildMessagesAsync(items, caller, cancellationToken),
            NextCursor = next,
        });
    }

    /// <summary>The messages whose current text holds every word, the last one as a prefix, through the provider's full-text index.</summary>
    private static IQueryable<ChatMessage<TKey>> Matches(DbContext db, SearchTerms terms)
    {
        var messages = db.Set<ChatMessage<TKey>>();
        if (ChatSearchIndex.IsPostgres(db))
        {
            return messages.FromSqlRaw(
                $$"""SELECT * FROM "ChatMessages" WHERE "{{ChatSearchIndex.PostgresColumn}}" @@ to_tsquery('simple', {0})""",
                terms.ToTsQuery());
        }

        if (!ChatSearchIndex.IsSqlite(db))
            throw new NotSupportedException($"Message search supports SQLite and PostgreSQL, not {db.Database.ProviderName}.");
        var ids = db.Database.SqlQueryRaw<long>(
            $$"""SELECT rowid AS "Value" FROM "{{ChatSearchIndex.SqliteTable}}" WHERE "{{ChatSearchIndex.SqliteTable}}" MATCH {0}""",
            terms.ToFts5Match());
        return messages.Where(m => ids.Contains(m.Id));
    }

    /// <summary><paramref name="messages"/> of the rooms the caller is a member of, or of <paramref name="roomId"/> if the caller may read it.</summary>
    private IQueryable<ChatMessage<TKey>> Readable(IQueryable<ChatMessage<TKey>> messages, TKey caller, long? roomId)
    {
        var members = store.Members;
        if (roomId is not { } id)
            return messages.AsNoTracking().Where(m => members.Any(u => u.RoomId == m.RoomId && u.UserId.Equals(caller)));
        var rooms = store.Rooms;
        return messages.AsNoTracking().Where(m => m.RoomId == id
            && rooms.Any(r => r.Id == id && (r.IsPublic || members.Any(u => u.RoomId == id && u.UserId.Equals(caller)))));
    }
}

using System.Collections.Concurrent;
using System.Linq.Expressions;
using DfChat.Entities;
using DfChat.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace DfChat.Services;

/// <summary>
/// The statements of the hottest reads (a room with the caller's membership, a page of messages and its pins), compiled
/// once per model with <see cref="EF.CompileAsyncQuery{TContext, TParam1, TParam2, TResult}(Expression{Func{TContext, TParam1, TParam2, TResult}})"/>.
/// </summary>
/// <remarks>
/// An ordinary LINQ query pays on every call for building its expression tree, extracting its parameters
/// and looking up its SQL in EF Core's cache: measured, about a quarter of a page's time in the host. A
/// compiled query pays for it once. EF Core binds a compiled query to the model it first ran against, so
/// they are kept per model (a process may host several DbContext types or providers).
/// </remarks>
internal sealed class ChatReadQueries<TUser, TKey>(ChatUserModel<TUser> users)
    where TUser : class
    where TKey : IEquatable<TKey>
{
    private readonly ConcurrentDictionary<IModel, Compiled> _byModel = new();

    /// <summary>The room <paramref name="roomId"/> with <paramref name="caller"/>'s membership (null when not a member), or null when there is no such room.</summary>
    public Task<RoomAccess<TKey>?> RoomAsync(DbContext db, long roomId, TKey caller, CancellationToken cancellationToken) =>
        For(db).Room(db, roomId, caller, cancellationToken);

    /// <summary>Up to <paramref name="take"/> messages of the room older than <paramref name="before"/>, newest first; none unless <paramref name="caller"/> may read the room.</summary>
    public IAsyncEnumerable<MessageRow<TKey>> Before(DbContext db, long roomId, TKey caller, long before, int take) =>
        For(db).Before(db, roomId, caller, before, take);

    /// <summary>Up to <paramref name="take"/> messages of the room newer than <paramref name="after"/>, oldest first; none unless <paramref name="caller"/> may read the room.</summary>
    public IAsyncEnumerable<MessageRow<TKey>> After(DbContext db, long roomId, TKey caller, long after, int take) =>
        For(db).After(db, roomId, caller, after, take);

    /// <summary>The pins of the room's messages from <paramref name="first"/> to <paramref name="last"/> (a page's id range).</summary>
    public IAsyncEnumerable<ChatMessagePin<TKey>> Pins(DbContext db, long roomId, long first, long last) =>
        For(db).Pins(db, roomId, first, last);

    private Compiled For(DbContext db) => _byModel.GetOrAdd(db.Model, static (model, users) => new Compiled(model, users), users);

    private sealed class Compiled
    {
        public Compiled(IModel model, ChatUserModel<TUser> users)
        {
            Room = EF.CompileAsyncQuery((DbContext db, long roomId, TKey caller, CancellationToken _) =>
                (from r in db.Set<ChatRoom<TKey>>().AsNoTracking()
                 where r.Id == roomId
                 from m in db.Set<ChatRoomUser<TKey>>().AsNoTracking().Where(m => m.RoomId == r.Id && m.UserId.Equals(caller)).DefaultIfEmpty()
                 select new RoomAccess<TKey>(r, m)).FirstOrDefault());

            var userKey = model.FindEntityType(typeof(TUser))?.FindPrimaryKey()?.Properties.Single().Name;
            Before = EF.CompileAsyncQuery(WithDetails(
                ReadableMessages((messages, before, take) => messages.Where(m => m.Id < before).OrderByDescending(m => m.ThreadId).ThenByDescending(m => m.Id).Take(take)),
                users.DisplayName,
                userKey));
            After = EF.CompileAsyncQuery(WithDetails(
                ReadableMessages((messages, after, take) => messages.Where(m => m.Id > after).OrderBy(m => m.ThreadId).ThenBy(m => m.Id).Take(take)),
                users.DisplayName,
                userKey));
            Pins = EF.CompileAsyncQuery((DbContext db, long roomId, long first, long last) =>
                db.Set<ChatMessagePin<TKey>>().AsNoTracking().Where(p => p.RoomId == roomId && p.MessageId >= first && p.MessageId <= last));
        }

        public Func<DbContext, long, TKey, CancellationToken, Task<RoomAccess<TKey>?>> Room { get; }

        public Func<DbContext, long, TKey, long, int, IAsyncEnumerable<MessageRow<TKey>>> Before { get; }

        public Func<DbContext, long, TKey, long, int, IAsyncEnumerable<MessageRow<TKey>>> After { get; }

        public Func<DbContext, long, long, long, IAsyncEnumerable<ChatMessagePin<TKey>>> Pins { get; }
    }

    /// <summary>
    /// The room's own messages (thread replies are listed by their thread: <c>ThreadId IS NULL</c>, the leading
    /// columns of an index with the id; the pages order by <c>ThreadId</c>, always null here, then the id, so
    /// that only that index serves the order: ordered by the id alone, PostgreSQL may walk the primary key
    /// backwards over every newer message of other rooms, 234 ms instead of 0.1 ms for a big room gone
    /// quiet, docs/BENCHMARKS.md), none unless the caller may read the room (<see cref="RoomRules.CanRead"/> in SQL,
    /// a condition of the whole statement, evaluated once, not per row), taken by <paramref name="page"/>.
    /// </summary>
    private static Expression<Func<DbContext, long, TKey, long, int, IQueryable<ChatMessage<TKey>>>> ReadableMessages(
        Expression<Func<IQueryable<ChatMessage<TKey>>, long, int, IQueryable<ChatMessage<TKey>>>> page)
    {
        Expression<Func<DbContext, long, TKey, IQueryable<ChatMessage<TKey>>>> readable = (db, roomId, caller) =>
            db.Set<ChatMessage<TKey>>().AsNoTracking().Where(m => m.RoomId == roomId && m.ThreadId == null
                && db.Set<ChatRoom<TKey>>().Any(r => r.Id == roomId
                    && (r.IsPublic || db.Set<ChatRoomUser<TKey>>().Any(u => u.RoomId == roomId && u.UserId.Equals(caller)))));
        var body = new Replacer(new Dictionary<Expression, Expression> { [page.Parameters[0]] = readable.Body }).Visit(page.Body)!;
        return Expression.Lambda<Func<DbContext, long, TKey, long, int, IQueryable<ChatMessage<TKey>>>>(
            body, [.. readable.Parameters, page.Parameters[1], page.Parameters[2]]);
    }

    /// <summary>
    /// <paramref name="messages"/> as rows that also carry each author's display name (a subquery through the
    /// host's display-name expression): one statement for an ordinary page.
    /// </summary>
    private static Expression<Func<DbContext, long, TKey, long, int, IQueryable<MessageRow<TKey>>>> WithDetails(
        Expression<Func<DbContext, long, TKey, long, int, IQueryable<ChatMessage<TKey>>>> messages,
        Expression<Func<TUser, string?>>? displayName,
        string? userKey)
    {
        var db = messages.Parameters[0];
        // The message with the columns its wire model shows (not its client id nor its number, nor its room:
        // the caller knows it), and the columns that tell whether media and reactions must be read.
        Expression<Func<ChatMessage<TKey>, string?, MessageRow<TKey>>> shape = (m, authorName) => new MessageRow<TKey>
        {
            Message = new ChatMessage<TKey>
            {
                Id = m.Id,
                UserId = m.UserId,
                Text = m.Text,
                ReplyToId = m.ReplyToId,
                CreatedAt = m.CreatedAt,
                EditedAt = m.EditedAt,
                HasMedia = m.HasMedia,
                ReactionCount = m.ReactionCount,
                ThreadReplyCount = m.ThreadReplyCount,
                ThreadLastReplyAt = m.ThreadLastReplyAt,
                Mentions = m.Mentions,
                PinnedAt = m.PinnedAt,
            },
            AuthorName = authorName,
        };
        var message = shape.Parameters[0];
        Expression name = Expression.Constant(null, typeof(string));
        if (displayName is not null && userKey is not null)
        {
            // db.Set<TUser>().Where(u => EF.Property<TKey>(u, key).Equals(m.UserId)).Select(displayName).FirstOrDefault()
            var user = displayName.Parameters[0];
            var key = Expression.Call(typeof(EF), nameof(EF.Property), [typeof(TKey)], user, Expression.Constant(userKey));
            var isAuthor = Expression.Lambda<Func<TUser, bool>>(
                Expression.Call(key, typeof(IEquatable<TKey>).GetMethod(nameof(IEquatable<TKey>.Equals))!, Expression.Property(message, nameof(ChatMessage<TKey>.UserId))),
                user);
            var allUsers = Expression.Call(db, nameof(DbContext.Set), [typeof(TUser)]);
            var names = Expression.Call(typeof(Queryable), nameof(Queryable.Select), [typeof(TUser), typeof(string)],
                Expression.Call(typeof(Queryable), nameof(Queryable.Where), [typeof(TUser)], allUsers, Expression.Quote(isAuthor)),
                Expression.Quote(displayName));
            name = Expression.Call(typeof(Queryable), nameof(Queryable.FirstOrDefault), [typeof(string)], names);
        }

        var row = Expression.Lambda<Func<ChatMessage<TKey>, MessageRow<TKey>>>(
            new Replacer(new Dictionary<Expression, Expression> { [shape.Parameters[1]] = name }).Visit(shape.Body)!,
            message);
        var body = Expression.Call(typeof(Queryable), nameof(Queryable.Select), [typeof(ChatMessage<TKey>), typeof(MessageRow<TKey>)],
            messages.Body, Expression.Quote(row));
        return Expression.Lambda<Func<DbContext, long, TKey, long, int, IQueryable<MessageRow<TKey>>>>(body, messages.Parameters);
    }

    private sealed class Replacer(Dictionary<Expression, Expression> replacements) : ExpressionVisitor
    {
        public override Expression? Visit(Expression? node) =>
            node is not null && replacements.TryGetValue(node, out var replacement) ? replacement : base.Visit(node);
    }
}

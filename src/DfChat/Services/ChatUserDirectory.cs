using System.Linq.Expressions;
using DfChat.Models;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Services;

/// <summary>How the chat reads the host's users: their key, display name and user name.</summary>
/// <typeparam name="TUser">The host's user entity.</typeparam>
internal sealed class ChatUserModel<TUser>
    where TUser : class
{
    public ChatUserModel(Expression<Func<TUser, string?>>? displayName)
    {
        UserName = StringProperty("UserName");
        NormalizedUserName = StringProperty("NormalizedUserName");
        DisplayName = displayName ?? UserName;
    }

    /// <summary>
    /// The user name folded to upper case in .NET, as ASP.NET Core Identity stores it: searched with an
    /// upper-cased term, it matches case-insensitively beyond ASCII even on SQLite.
    /// </summary>
    public Expression<Func<TUser, string?>>? NormalizedUserName { get; }

    private static Expression<Func<TUser, string?>>? StringProperty(string name) =>
        typeof(TUser).GetProperty(name)?.PropertyType == typeof(string) ? u => EF.Property<string?>(u, name) : null;

    /// <summary>The display name in SQL, or null to show the id.</summary>
    public Expression<Func<TUser, string?>>? DisplayName { get; }

    /// <summary>The user name in SQL, when the user type has one.</summary>
    public Expression<Func<TUser, string?>>? UserName { get; }
}

/// <summary>
/// Reads users of the host's user table: existence, display names and search, each in one query; search
/// and the users a caller may add are limited to those the host's <see cref="IChatUserFilter{TUser}"/> lets it find.
/// </summary>
internal sealed class ChatUserDirectory<TUser, TKey>(IChatDbContextProvider contextProvider, ChatUserModel<TUser> model, IChatUserFilter<TUser> filter)
    where TUser : class
    where TKey : IEquatable<TKey>
{
    private DbContext Db => contextProvider.Context;

    private string KeyName => Db.Model.FindEntityType(typeof(TUser))?.FindPrimaryKey()?.Properties.Single().Name
        ?? throw new InvalidOperationException($"{typeof(TUser).Name} is not part of {Db.GetType().Name}'s model: call modelBuilder.UseDfChat<{typeof(TUser).Name}>() in OnModelCreating.");

    /// <summary>Which of <paramref name="ids"/> exist and <paramref name="caller"/> may find (the caller itself included, when it exists).</summary>
    public async Task<HashSet<TKey>> FindableAsync(TKey caller, IReadOnlyCollection<TKey> ids, CancellationToken cancellationToken) =>
        await FindableAsync(caller, ids, await FilterOfAsync(caller, cancellationToken), cancellationToken);

    /// <summary>
    /// Which of <paramref name="ids"/> exist and pass <paramref name="filter"/>, the host filter's answer for
    /// <paramref name="caller"/> that the request asked before queueing its write (<see cref="FilterOfAsync"/>):
    /// the host's filter runs in the request's own scope, never in a write batch's.
    /// </summary>
    public async Task<HashSet<TKey>> FindableAsync(TKey caller, IReadOnlyCollection<TKey> ids, UserFilter filter, CancellationToken cancellationToken)
    {
        var key = KeyName;
        var found = await FindableBy(caller, filter).Select(u => EF.Property<TKey>(u, key)).Where(k => ids.Contains(k)).ToListAsync(cancellationToken);
        return [.. found];
    }

    /// <summary>What the host's <see cref="IChatUserFilter{TUser}"/> lets <paramref name="caller"/> find, asked in the current scope.</summary>
    public async Task<UserFilter> FilterOfAsync(TKey caller, CancellationToken cancellationToken) =>
        new(await filter.FindableByAsync(UserKey<TKey>.Format(caller), cancellationToken));

    /// <summary>The display names of <paramref name="ids"/>; users without one (or without a row) are left out.</summary>
    public async Task<Dictionary<TKey, string>> DisplayNamesAsync(IEnumerable<TKey> ids, CancellationToken cancellationToken)
    {
        var wanted = ids.Distinct().ToArray();
        if (model.DisplayName is null || wanted.Length == 0)
            return [];
        var key = KeyName;

        // One id: an equality, whose SQL EF Core generates once; a list of ids is expanded into one
        // parameter each, and its SQL generated again on every call.
        var only = wanted[0];
        return await DisplayNamesAsync(
            wanted.Length == 1
                ? Db.Set<TUser>().Where(u => EF.Property<TKey>(u, key).Equals(only))
                : Db.Set<TUser>().Where(u => wanted.Contains(EF.Property<TKey>(u, key))),
            cancellationToken);
    }

    /// <summary>
    /// <paramref name="shape"/> with the display name of the user <paramref name="userKey"/> names, looked up
    /// in the host's user table as one expression: EF Core translates it into a subquery of the row's own
    /// query, with no round trip of its own. The name is null when the user has none (or no row).
    /// </summary>
    public Expression<Func<TSource, TRow>> WithDisplayName<TSource, TRow>(Expression<Func<TSource, string?, TRow>> shape, Expression<Func<TSource, TKey>> userKey)
    {
        var source = shape.Parameters[0];
        Expression name = Expression.Constant(null, typeof(string));
        if (model.DisplayName is { } display)
        {
            var user = display.Parameters[0];
            var key = Expression.Call(typeof(EF), nameof(EF.Property), [typeof(TKey)], user, Expression.Constant(KeyName));
            var wanted = new ParameterReplacer(userKey.Parameters[0], source).Visit(userKey.Body);
            var isWanted = Expression.Lambda<Func<TUser, bool>>(
                Expression.Call(key, typeof(IEquatable<TKey>).GetMethod(nameof(IEquatable<TKey>.Equals))!, wanted),
                user);
            var users = Db.Set<TUser>().AsQueryable().Expression;
            var named = Expression.Call(typeof(Queryable), nameof(Queryable.Select), [typeof(TUser), typeof(string)],
                Expression.Call(typeof(Queryable), nameof(Queryable.Where), [typeof(TUser)], users, Expression.Quote(isWanted)),
                Expression.Quote(display));
            name = Expression.Call(typeof(Queryable), nameof(Queryable.FirstOrDefault), [typeof(string)], named);
        }

        var body = new ParameterReplacer(shape.Parameters[1], name).Visit(shape.Body);
        return Expression.Lambda<Func<TSource, TRow>>(body, source);
    }

    private async Task<Dictionary<TKey, string>> DisplayNamesAsync(IQueryable<TUser> users, CancellationToken cancellationToken)
    {
        var rows = await users.Select(Project(KeyName, model.DisplayName!)).ToListAsync(cancellationToken);
        return rows.Where(r => r.Name is not null).ToDictionary(r => r.Id, r => r.Name!);
    }

    /// <summary>One user as the chat shows it, or null when the host has no such user; one query.</summary>
    public async Task<UserModel?> FindAsync(TKey id, CancellationToken cancellationToken)
    {
        var key = KeyName;
        var row = await Db.Set<TUser>()
            .Where(u => EF.Property<TKey>(u, key).Equals(id))
            .Select(Project(key, model.DisplayName ?? (u => null)))
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : new UserModel { Id = UserKey<TKey>.Format(row.Id), DisplayName = row.Name ?? UserKey<TKey>.Format(row.Id) };
    }

    public async Task<List<UserModel>> SearchAsync(TKey caller, string? search, int limit, CancellationToken cancellationToken)
    {
        var key = KeyName;
        var query = FindableBy(caller, await FilterOfAsync(caller, cancellationToken));
        if (!string.IsNullOrEmpty(search))
            query = query.Where(Matches(search));
        var rows = await query
            .OrderBy(u => EF.Property<TKey>(u, key))
            .Select(Project(key, model.DisplayName ?? (u => null)))
            .Take(limit)
            .ToListAsync(cancellationToken);
        return rows.Select(r => new UserModel { Id = UserKey<TKey>.Format(r.Id), DisplayName = r.Name ?? UserKey<TKey>.Format(r.Id) }).ToList();
    }

    /// <summary>The host's users that <paramref name="caller"/> may find: the filter's, and the caller itself.</summary>
    private IQueryable<TUser> FindableBy(TKey caller, UserFilter filter)
    {
        var users = Db.Set<TUser>().AsQueryable();
        if (filter.Condition is not { } findable)
            return users;
        var key = KeyName;
        var user = findable.Parameters[0];
        var isCaller = Expression.Equal(
            Expression.Call(typeof(EF), nameof(EF.Property), [typeof(TKey)], user, Expression.Constant(key)),
            Expression.Property(Expression.Constant(new CallerKey(caller)), nameof(CallerKey.Value)),
            liftToNull: false,
            method: null);
        return users.Where(Expression.Lambda<Func<TUser, bool>>(Expression.OrElse(isCaller, findable.Body), user));
    }

    /// <summary>The host filter's condition for one caller (null: every user).</summary>
    /// <param name="Condition">The users the caller may find, as SQL-translatable condition.</param>
    public sealed record UserFilter(Expression<Func<TUser, bool>>? Condition);

    /// <summary>Holds the caller's key so that EF Core sends it as a parameter.</summary>
    private sealed record CallerKey(TKey Value);

    private static Expression<Func<TUser, NamedUser>> Project(string key, Expression<Func<TUser, string?>> display)
    {
        var user = display.Parameters[0];
        var id = Expression.Call(typeof(EF), nameof(EF.Property), [typeof(TKey)], user, Expression.Constant(key));
        var body = Expression.MemberInit(
            Expression.New(typeof(NamedUser)),
            Expression.Bind(typeof(NamedUser).GetProperty(nameof(NamedUser.Id))!, id),
            Expression.Bind(typeof(NamedUser).GetProperty(nameof(NamedUser.Name))!, display.Body));
        return Expression.Lambda<Func<TUser, NamedUser>>(body, user);
    }

    /// <summary>Case-insensitive substring match on the display name or the user name (its normalized form where the user type has one).</summary>
    private Expression<Func<TUser, bool>> Matches(string search)
    {
        var user = Expression.Parameter(typeof(TUser), "u");
        var toLower = typeof(string).GetMethod(nameof(string.ToLower), Type.EmptyTypes)!;
        var fields = new List<(Expression<Func<TUser, string?>> Field, bool FoldInSql, string Term)>();
        if (model.DisplayName is { } display)
            fields.Add((display, true, search.ToLowerInvariant()));
        if (model.NormalizedUserName is { } normalized)
            fields.Add((normalized, false, search.ToUpperInvariant()));
        else if (model.UserName is { } userName && userName != model.DisplayName)
            fields.Add((userName, true, search.ToLowerInvariant()));

        Expression? any = null;
        foreach (var (field, foldInSql, term) in fields)
        {
            var value = new ParameterReplacer(field.Parameters[0], user).Visit(field.Body);
            var match = Expression.AndAlso(
                Expression.NotEqual(value, Expression.Constant(null, typeof(string))),
                Expression.Call(
                    foldInSql ? Expression.Call(value, toLower) : value,
                    typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!,
                    Expression.Property(Expression.Constant(new SearchTerm(term)), nameof(SearchTerm.Value))));
            any = any is null ? match : Expression.OrElse(any, match);
        }

        return Expression.Lambda<Func<TUser, bool>>(any ?? Expression.Constant(false), user);
    }

    /// <summary>Holds the search text so that EF Core sends it as a parameter instead of inlining it.</summary>
    private sealed record SearchTerm(string Value);

    private sealed class NamedUser
    {
        public TKey Id { get; set; } = default!;

        public string? Name { get; set; }
    }

    private sealed class ParameterReplacer(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}

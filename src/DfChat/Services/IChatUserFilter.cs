using System.Linq.Expressions;

namespace DfChat.Services;

/// <summary>
/// Decides which of the host's users a caller may find: who <c>GET /users</c> lists, and whom the caller may
/// add to a room (at its creation through <c>userIds</c>, or later); a user outside the filter is answered
/// as one that does not exist. The default lets every signed-in user find every user.
/// </summary>
/// <typeparam name="TUser">The host's user entity.</typeparam>
/// <remarks>
/// Multi-tenant hosts, or hosts whose directory is private, register their own with
/// <c>AddDfChat&lt;TUser&gt;().UseUserFilter&lt;TFilter&gt;()</c>. It is resolved once per request scope, so it may
/// depend on scoped services such as the host's DbContext or <c>IHttpContextAccessor</c>.
/// </remarks>
/// <example>
/// <code>
/// sealed class SameTenant(AppDbContext db) : IChatUserFilter&lt;AppUser&gt;
/// {
///     public async ValueTask&lt;Expression&lt;Func&lt;AppUser, bool&gt;&gt;?&gt; FindableByAsync(string callerId, CancellationToken cancellationToken)
///     {
///         var tenant = await db.Users.Where(u =&gt; u.Id == callerId).Select(u =&gt; u.TenantId).SingleAsync(cancellationToken);
///         return u =&gt; u.TenantId == tenant;
///     }
/// }
/// </code>
/// </example>
public interface IChatUserFilter<TUser>
    where TUser : class
{
    /// <summary>
    /// The users <paramref name="callerId"/> may find, as a condition that EF Core translates to SQL; null
    /// for every user. The caller itself is always found.
    /// </summary>
    /// <param name="callerId">The caller's user id, as the chat writes it.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The condition, or null.</returns>
    ValueTask<Expression<Func<TUser, bool>>?> FindableByAsync(string callerId, CancellationToken cancellationToken);
}

/// <summary>The default: every user can find every user.</summary>
internal sealed class EveryUserFilter<TUser> : IChatUserFilter<TUser>
    where TUser : class
{
    public ValueTask<Expression<Func<TUser, bool>>?> FindableByAsync(string callerId, CancellationToken cancellationToken) => ValueTask.FromResult<Expression<Func<TUser, bool>>?>(null);
}

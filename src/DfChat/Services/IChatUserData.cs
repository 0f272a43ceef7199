using DfChat.Models;

namespace DfChat.Services;

/// <summary>What the chat holds about one user: erasing it before the host deletes the user, and exporting it for an access request.</summary>
/// <remarks>
/// Every foreign key from the chat's tables to the host's user restricts the user's deletion, so a host
/// that deletes a user without erasing them first gets a constraint failure rather than rows removed
/// behind the chat's back (no events, wrong counts, files left behind).
/// </remarks>
/// <example>
/// A host's account deletion:
/// <code>
/// app.MapDelete("/auth/me", async (ClaimsPrincipal principal, UserManager&lt;AppUser&gt; users, IChatUserData chat, CancellationToken ct) =&gt;
/// {
///     var user = await users.GetUserAsync(principal);
///     if (user is null)
///         return Results.Unauthorized();
///     await chat.EraseAsync(user.Id, ct);     // first: afterwards no chat row refers to the user
///     var deleted = await users.DeleteAsync(user);
///     return deleted.Succeeded ? Results.NoContent() : Results.Problem();
/// }).RequireAuthorization();
/// </code>
/// </example>
public interface IChatUserData
{
    /// <summary>
    /// Erases the user <paramref name="userId"/> from the chat, through the same write path as every other
    /// change (events with their <c>seq</c>, counts kept right), in bounded transactions: their reactions are
    /// removed; their messages are deleted or anonymized (<see cref="Options.DfChatOptions.ErasedUserMessages"/>);
    /// their memberships end (a room they own passes to the member who joined it earliest, a room left with
    /// no member is deleted); rooms and members they created, and uploads kept on anonymized messages, no
    /// longer name them; their other uploads (room avatars included) are deleted with their files. Afterwards
    /// no chat row refers to the user, and the host may delete it.
    /// </summary>
    /// <remarks>
    /// Erasing a user who has nothing in the chat does nothing; erasing twice is harmless. A private room
    /// keeps its other member, who keeps the conversation and may still delete it. Sign the user out first:
    /// what they write while being erased may be left for a second call.
    /// </remarks>
    /// <param name="userId">The user's id, as the contract writes it.</param>
    /// <param name="cancellationToken">Stops between transactions; what has committed stays erased.</param>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is not a key of the host's users.</exception>
    Task EraseAsync(string userId, CancellationToken cancellationToken);

    /// <summary>
    /// Everything the chat holds about the caller, read in keyset pages as it is enumerated (memberships,
    /// messages with their room ids, reactions, uploads' metadata): an answer to an access request that is
    /// never held in memory whole.
    /// </summary>
    /// <param name="callerId">The caller's user id.</param>
    /// <param name="cancellationToken">Cancels the lookup of the caller.</param>
    Task<ChatResult<ChatUserExport>> ExportAsync(string callerId, CancellationToken cancellationToken);
}

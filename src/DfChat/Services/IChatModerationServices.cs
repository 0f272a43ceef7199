using DfChat.Models;

namespace DfChat.Services;

/// <summary>Room moderation: bans and handing a room over (API.md §9).</summary>
/// <remarks>Every method takes the caller's user id as the contract's string; the rules live in <c>RoomRules</c>.</remarks>
public interface IChatModerationService
{
    /// <summary>
    /// Bans a user from a room (<c>can_remove_users</c>; never the owner, never in a private room): removes
    /// them if a member and keeps them out until unbanned or <see cref="BanRequest.ExpiresAt"/>. Banning
    /// again changes the reason and expiry (not <see cref="ChatResult{T}.Created"/>).
    /// </summary>
    Task<ChatResult<BanModel>> BanAsync(string callerId, string roomId, BanRequest request, CancellationToken cancellationToken);

    /// <summary>The bans in force, in the order they were made (<c>can_remove_users</c>).</summary>
    Task<ChatResult<PageModel<BanModel>>> ListBansAsync(string callerId, string roomId, PageRequest page, CancellationToken cancellationToken);

    /// <summary>Lifts a ban (<c>can_remove_users</c>).</summary>
    Task<ChatResult> UnbanAsync(string callerId, string roomId, string userId, CancellationToken cancellationToken);

    /// <summary>Makes a member the owner (the owner only); the former owner stays a member with every permission, and may then leave.</summary>
    Task<ChatResult<RoomModel>> TransferOwnershipAsync(string callerId, string roomId, UserIdRequest request, CancellationToken cancellationToken);
}

/// <summary>Invitations to rooms (API.md §9).</summary>
public interface IChatInviteService
{
    /// <summary>Creates an invitation (<c>can_add_users</c>; not in private rooms); the answer holds its token, shown only here.</summary>
    Task<ChatResult<InviteModel>> CreateAsync(string callerId, string roomId, CreateInviteRequest request, CancellationToken cancellationToken);

    /// <summary>The room's invitations, oldest first, without their tokens (<c>can_add_users</c>).</summary>
    Task<ChatResult<PageModel<InviteModel>>> ListAsync(string callerId, string roomId, PageRequest page, CancellationToken cancellationToken);

    /// <summary>Revokes an invitation, named by its token or its id (<c>can_add_users</c>).</summary>
    Task<ChatResult> RevokeAsync(string callerId, string roomId, string tokenOrId, CancellationToken cancellationToken);

    /// <summary>Joins the room of an invitation with the room type's default permissions; unknown, revoked, expired or used-up tokens are 404.</summary>
    Task<ChatResult<RoomModel>> AcceptAsync(string callerId, string token, CancellationToken cancellationToken);
}

/// <summary>The caller's blocks of other users (API.md §9).</summary>
public interface IChatBlockService
{
    /// <summary>Blocks a user; blocking again returns the existing block (not <see cref="ChatResult{T}.Created"/>).</summary>
    Task<ChatResult<BlockModel>> BlockAsync(string callerId, UserIdRequest request, CancellationToken cancellationToken);

    /// <summary>The caller's blocks, in the order they were made.</summary>
    Task<ChatResult<PageModel<BlockModel>>> ListAsync(string callerId, PageRequest page, CancellationToken cancellationToken);

    /// <summary>Lifts a block.</summary>
    Task<ChatResult> UnblockAsync(string callerId, string userId, CancellationToken cancellationToken);
}

/// <summary>Reports of messages, handed to the host's <see cref="Events.IChatReportListener"/>s (API.md §9).</summary>
public interface IChatReportService
{
    /// <summary>
    /// Reports a message (readers of its room; a reason of 1 to 1,000 characters). The report is stored and
    /// handed to the listeners in the background; reporting the same message again changes nothing.
    /// </summary>
    Task<ChatResult> ReportAsync(string callerId, string roomId, string messageId, ReportRequest request, CancellationToken cancellationToken);
}

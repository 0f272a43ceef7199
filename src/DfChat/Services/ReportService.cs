using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Services;
using DfChat.Writes;
using Microsoft.EntityFrameworkCore;

namespace DfChat;

/// <summary>
/// Reports of messages: stored through the room's write path (readers of the room; once per reporter and
/// message), then handed to the host's listeners by <see cref="ChatReportDispatcher"/> after the commit.
/// </summary>
internal sealed class ReportService<TUser, TKey>(RoomWrites<TUser, TKey> writes, ChatReportDispatcher dispatcher) : IChatReportService
    where TUser : class
    where TKey : IEquatable<TKey>
{
    private const int MaxReasonLength = 1000;

    public async Task<ChatResult> ReportAsync(string callerId, string roomId, string messageId, ReportRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        var result = await writes.InRoomAsync<long>(caller, roomId, async w =>
        {
            var store = w.Store;
            var roomKey = w.Room.Id;
            if (!EntityId.TryParse(messageId, out var messageKey)
                || await store.Messages.AsNoTracking().Where(m => m.Id == messageKey && m.RoomId == roomKey)
                    .Select(m => new { m.UserId, m.Text }).FirstOrDefaultAsync(CancellationToken.None) is not { } message)
                return ChatError.MessageNotFound;
            if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > MaxReasonLength)
                return ChatError.Invalid("reason", $"reason must be 1 to {MaxReasonLength} characters.");
            if (await store.Reports.AnyAsync(r => r.MessageId == messageKey && r.ReporterId.Equals(caller), CancellationToken.None))
                return ChatResult<long>.Ok(0);

            var report = new ChatMessageReport<TKey>
            {
                RoomId = roomKey,
                MessageId = messageKey,
                ReporterId = caller,
                Reason = request.Reason,
                MessageUserId = message.UserId is { } author ? UserKey<TKey>.Format(author) : null,
                MessageText = message.Text,
                CreatedAt = w.Now,
            };
            store.Reports.Add(report);
            await w.SaveAsync();
            return ChatResult<long>.New(report.Id);
        }, cancellationToken);
        if (!result.Succeeded)
            return result.Error!;

        // Committed: the listeners get it in the background, never on this request's time.
        if (result.Created)
            dispatcher.Enqueue(result.Value);
        return ChatResult.Ok;
    }
}

using System.Data.Common;
using System.Runtime.CompilerServices;
using DfChat.Entities;
using DfChat.Events;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace DfChat.Writes;

/// <summary>
/// The events of chat writes that joined a host's own transaction: released to the outbox when the
/// host commits, forgotten when it rolls back, so that nothing is ever published for a change that
/// did not happen.
/// </summary>
internal sealed class HostTransactions
{
    private readonly ConditionalWeakTable<DbTransaction, List<ChatRoomEvent>> _pending = [];

    public void Add(DbTransaction transaction, IReadOnlyList<ChatRoomEvent> events)
    {
        var list = _pending.GetValue(transaction, _ => []);
        lock (list)
            list.AddRange(events);
    }

    public IReadOnlyList<ChatRoomEvent> Take(DbTransaction transaction)
    {
        if (!_pending.TryGetValue(transaction, out var list))
            return [];
        _pending.Remove(transaction);
        lock (list)
            return [.. list];
    }
}

/// <summary>Watches the host's transactions end, to release or drop the chat events written in them.</summary>
internal sealed class HostTransactionInterceptor(HostTransactions pending, ChatOutbox outbox) : DbTransactionInterceptor
{
    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        outbox.Committed(pending.Take(transaction));

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        outbox.Committed(pending.Take(transaction));
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => pending.Take(transaction);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        pending.Take(transaction);
        return Task.CompletedTask;
    }
}

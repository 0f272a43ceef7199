using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Writes;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Services;

/// <summary>
/// What deleting a message does to threads (API.md §8): a reply leaves its root's count and latest reply
/// time right (<c>messageUpdated</c> for the root); a root takes its replies with it, with their reactions,
/// media, pins and history (<c>messageDeleted</c> for each), as deleting a message takes its own.
/// </summary>
internal static class Threads<TUser, TKey>
    where TUser : class
    where TKey : IEquatable<TKey>
{
    /// <summary>Applies the thread side of deleting <paramref name="message"/>, before the message itself is deleted.</summary>
    public static async Task<ThreadDeletion> MessageDeletingAsync(ChatStore<TUser, TKey> store, ChatMessage<TKey> message, TKey caller)
    {
        var (roomId, messageId) = (message.RoomId, message.Id);

        // The message's own pin and history go with it ("deleted means gone").
        await store.Pins.Where(p => p.MessageId == messageId).ExecuteDeleteAsync(CancellationToken.None);
        await store.Edits.Where(e => e.MessageId == messageId).ExecuteDeleteAsync(CancellationToken.None);

        if (message.ThreadId is { } rootId)
        {
            var root = await store.Messages.FirstOrDefaultAsync(m => m.Id == rootId && m.RoomId == roomId, CancellationToken.None);
            if (root is null)
                return ThreadDeletion.Nothing;
            root.ThreadReplyCount = Math.Max(root.ThreadReplyCount - 1, 0);
            root.ThreadLastReplyAt = await store.Messages.Where(m => m.RoomId == roomId && m.ThreadId == rootId && m.Id != messageId)
                .MaxAsync(m => (DateTime?)m.CreatedAt, CancellationToken.None);
            return new ThreadDeletion(await store.BuildMessageAsync(root, caller, CancellationToken.None), [], []);
        }

        var replies = store.Messages.Where(m => m.RoomId == roomId && m.ThreadId == messageId);
        var replyIds = await replies.OrderBy(m => m.Id).Select(m => m.Id).ToListAsync(CancellationToken.None);
        if (replyIds.Count == 0)
            return ThreadDeletion.Nothing;
        var links = store.MessageMedia.Where(l => l.RoomId == roomId && replies.Any(r => r.Id == l.MessageId));
        var mediaIds = await links.Select(l => l.MediaId).ToListAsync(CancellationToken.None);
        var storageKeys = await store.Media.Where(m => mediaIds.Contains(m.Id)).Select(m => m.StorageKey).ToListAsync(CancellationToken.None);
        await store.Reactions.Where(r => r.RoomId == roomId && replies.Any(m => m.Id == r.MessageId)).ExecuteDeleteAsync(CancellationToken.None);
        await links.ExecuteDeleteAsync(CancellationToken.None);
        await store.Media.Where(m => mediaIds.Contains(m.Id)).ExecuteDeleteAsync(CancellationToken.None);
        await store.Pins.Where(p => p.RoomId == roomId && replies.Any(m => m.Id == p.MessageId)).ExecuteDeleteAsync(CancellationToken.None);
        await store.Edits.Where(e => e.RoomId == roomId && replies.Any(m => m.Id == e.MessageId)).ExecuteDeleteAsync(CancellationToken.None);
        await store.Messages.Where(m => m.RoomId == roomId && m.ReplyToId != null && replies.Any(r => r.Id == m.ReplyToId))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ReplyToId, (long?)null), CancellationToken.None);
        await replies.ExecuteDeleteAsync(CancellationToken.None);
        return new ThreadDeletion(null, replyIds, storageKeys);
    }
}

/// <summary>The events and files of a deletion's thread side, recorded after the deleted message's own event.</summary>
/// <param name="Root">The root whose count changed, or null.</param>
/// <param name="DeletedReplies">The replies deleted with their root.</param>
/// <param name="StorageKeys">Files of the deleted replies' media.</param>
internal sealed record ThreadDeletion(MessageModel? Root, IReadOnlyList<long> DeletedReplies, IReadOnlyList<string> StorageKeys)
{
    public static readonly ThreadDeletion Nothing = new(null, [], []);

    /// <summary>Records <c>messageDeleted</c> for each reply deleted with its root, or <c>messageUpdated</c> for the root of a deleted reply.</summary>
    public void Record<TUser, TKey>(RoomWrite<TUser, TKey> write)
        where TUser : class
        where TKey : IEquatable<TKey>
    {
        var roomId = EntityId.Format(write.Room.Id);
        foreach (var (reply, i) in DeletedReplies.Select((r, i) => (r, i)))
        {
            // The replies' files go once the delete has committed, with the last reply's event.
            write.Record(ChatEventNames.MessageDeleted, reply, _ => new MessageDeletedPayload(roomId, EntityId.Format(reply)),
                i == DeletedReplies.Count - 1 && StorageKeys.Count > 0 ? StorageKeys : null);
        }

        if (Root is not null && EntityId.TryParse(Root.Id, out var rootId))
            write.Record(ChatEventNames.MessageUpdated, rootId, _ => Root);
    }
}

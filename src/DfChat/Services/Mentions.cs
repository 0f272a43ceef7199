using DfChat.Entities;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Services;

/// <summary>The members a message mentions, as a send or an edit names them, checked against the room.</summary>
/// <param name="Ids">The ids as the contract writes them, in the order given, each once.</param>
/// <param name="Keys">The same users as keys.</param>
internal sealed record ParsedMentions<TKey>(IReadOnlyList<string> Ids, IReadOnlyList<TKey> Keys);

/// <summary>The rule of API.md §8 for <c>mentions</c>: ids of members of the room, at most 50 (400 otherwise).</summary>
internal static class Mentions<TUser, TKey>
    where TUser : class
    where TKey : IEquatable<TKey>
{
    /// <summary>The most members one message may mention.</summary>
    public const int Max = 50;

    private static readonly ParsedMentions<TKey> None = new([], []);

    /// <summary>Checks <paramref name="ids"/> (null: none) against the members of the room, read in the write's transaction.</summary>
    public static async Task<ChatResult<ParsedMentions<TKey>>> ParseAsync(ChatStore<TUser, TKey> store, long roomId, IReadOnlyList<string>? ids)
    {
        if (ids is null || ids.Count == 0)
            return ChatResult<ParsedMentions<TKey>>.Ok(None);
        var keys = new List<TKey>();
        foreach (var id in ids)
        {
            if (!UserKey<TKey>.TryParse(id, out var key))
                return NotAMember(id);
            if (!keys.Contains(key))
                keys.Add(key);
        }

        if (keys.Count > Max)
            return ChatError.Invalid("mentions", $"A message mentions at most {Max} members.");
        var members = await store.Members.Where(m => m.RoomId == roomId && keys.Contains(m.UserId)).Select(m => m.UserId).ToListAsync(CancellationToken.None);
        if (members.Count != keys.Count)
            return NotAMember(UserKey<TKey>.Format(keys.First(k => !members.Contains(k))));
        return ChatResult<ParsedMentions<TKey>>.Ok(new ParsedMentions<TKey>(keys.Select(UserKey<TKey>.Format).ToArray(), keys));
    }

    /// <summary>The users a stored message mentions.</summary>
    public static List<TKey> KeysOf(ChatMessage<TKey> message)
    {
        var keys = new List<TKey>();
        foreach (var id in MessageDetails.MentionsOf(message))
        {
            if (UserKey<TKey>.TryParse(id, out var key))
                keys.Add(key);
        }

        return keys;
    }

    private static ChatError NotAMember(string id) =>
        ChatError.Invalid("mentions", $"'{id}' is not a member of this room: mentions name members only.");
}

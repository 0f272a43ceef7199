using DfChat.Entities;
using DfChat.Writes;

namespace DfChat.Services;

/// <summary>The members a message mentions, as a send or an edit names them, checked against the room.</summary>
/// <param name="Ids">The ids as the contract writes them, in the order given, each once.</param>
/// <param name="Members">Their memberships, in the same order, tracked by the write's DbContext.</param>
internal sealed record ParsedMentions<TKey>(IReadOnlyList<string> Ids, IReadOnlyList<ChatRoomUser<TKey>> Members)
    where TKey : IEquatable<TKey>
{
    /// <summary>The mentioned users.</summary>
    public IEnumerable<TKey> Keys => Members.Select(m => m.UserId);
}

/// <summary>The rule of API.md §8 for <c>mentions</c>: ids of members of the room, at most 50 (400 otherwise).</summary>
internal static class Mentions<TUser, TKey>
    where TUser : class
    where TKey : IEquatable<TKey>
{
    /// <summary>The most members one message may mention.</summary>
    public const int Max = 50;

    private static readonly ParsedMentions<TKey> None = new([], []);

    /// <summary>
    /// The users <paramref name="ids"/> names, for the write to announce before it runs (<see cref="RoomWrites{TUser, TKey}"/>'s
    /// <c>mentioned</c>), so that its batch reads their memberships with its other members; not a check.
    /// </summary>
    public static IReadOnlyList<TKey>? ToHint(IReadOnlyList<string>? ids)
    {
        if (ids is null || ids.Count == 0 || ids.Count > Max)
            return null;
        var keys = new List<TKey>(ids.Count);
        foreach (var id in ids)
        {
            if (UserKey<TKey>.TryParse(id, out var key))
                keys.Add(key);
        }

        return keys;
    }

    /// <summary>Checks <paramref name="ids"/> (null: none) against the members of the write's room, read in its transaction.</summary>
    public static async Task<ChatResult<ParsedMentions<TKey>>> ParseAsync(RoomWrite<TUser, TKey> write, IReadOnlyList<string>? ids)
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
        var members = await write.MembersAsync(keys);
        if (members.Count != keys.Count)
            return NotAMember(UserKey<TKey>.Format(keys.First(k => !members.Any(m => m.UserId.Equals(k)))));
        var ordered = keys.Select(k => members.First(m => m.UserId.Equals(k))).ToArray();
        return ChatResult<ParsedMentions<TKey>>.Ok(new ParsedMentions<TKey>(keys.Select(UserKey<TKey>.Format).ToArray(), ordered));
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

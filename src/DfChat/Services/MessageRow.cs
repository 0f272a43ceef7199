using DfChat.Entities;
using DfChat.Models;
using DfChat.Options;
using DfChat.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DfChat.Services;

/// <summary>A message read for a page (the columns its wire model shows), with its author's display name and whether it has media or reactions.</summary>
/// <typeparam name="TKey">The host's user key.</typeparam>
internal sealed class MessageRow<TKey>
    where TKey : IEquatable<TKey>
{
    public required ChatMessage<TKey> Message { get; init; }

    /// <summary>Null when the author has no display name (or no longer exists): the page shows the id.</summary>
    public string? AuthorName { get; init; }
}

/// <summary>What a message's row says about reading its media and reactions.</summary>
internal static class MessageDetails
{
    /// <summary>Its media must be read: it has some, or was stored before <see cref="ChatMessage{TUserKey}.HasMedia"/> existed (null).</summary>
    public static bool MayHaveMedia<TKey>(ChatMessage<TKey> message)
        where TKey : IEquatable<TKey> => message.HasMedia != false;

    /// <summary>Its reactions must be read: it has some, or was stored before <see cref="ChatMessage{TUserKey}.ReactionCount"/> existed (null).</summary>
    public static bool MayHaveReactions<TKey>(ChatMessage<TKey> message)
        where TKey : IEquatable<TKey> => message.ReactionCount != 0;

    /// <summary>The ids the message mentions, as stored with it.</summary>
    public static IReadOnlyList<string> MentionsOf<TKey>(ChatMessage<TKey> message)
        where TKey : IEquatable<TKey> =>
        message.Mentions is { } json ? ReadMentions(json) : [];

    /// <summary>
    /// The JSON array of ids <see cref="StoreMentions"/> wrote, read by a <see cref="System.Text.Json.Utf8JsonReader"/>:
    /// a page reads one for every message that mentions someone, and the serializer's own reading cost
    /// several times more (its converters looked up on every call).
    /// </summary>
    private static string[] ReadMentions(string json)
    {
        var reader = new System.Text.Json.Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartArray)
            return [];
        var ids = new List<string>(2);
        while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.String)
            ids.Add(reader.GetString()!);
        return [.. ids];
    }

    /// <summary>How <paramref name="mentions"/> are stored with a message: null for none.</summary>
    public static string? StoreMentions(IReadOnlyCollection<string> mentions) =>
        mentions.Count == 0 ? null : System.Text.Json.JsonSerializer.Serialize(mentions);

    /// <summary>
    /// The two substrings of which a stored <see cref="ChatMessage{TUserKey}.Mentions"/> (as <see cref="StoreMentions"/>
    /// writes it) holds one exactly when it names <paramref name="id"/>: the id as a JSON string, after the array's
    /// opening bracket or after a comma. Inside a JSON string every quote is escaped, so neither can match across
    /// or within another id.
    /// </summary>
    public static (string First, string Later) MentionPatterns(string id)
    {
        var quoted = System.Text.Json.JsonSerializer.Serialize(id);
        return ("[" + quoted, "," + quoted);
    }
}

using DfChat.Entities;
using DfChat.Services;

namespace DfChat.Tests.Services;

/// <summary>How a message's mentions are stored with it and read back for its wire model.</summary>
public sealed class MessageDetailsTests
{
    [Fact]
    public void MentionsOf_StoredMentions_ReadBackInTheirOrder()
    {
        // Arrange: ids the serializer escapes (non-ASCII, HTML-sensitive, quotes and backslashes) beside plain ones.
        string[] ids = ["42", "émile", "a<b>&'c", "quote\"back\\slash", "1f3e0a7c-0000-4000-8000-000000000001", "😀"];
        var message = new ChatMessage<string> { Mentions = MessageDetails.StoreMentions(ids) };

        // Act
        var read = MessageDetails.MentionsOf(message);

        // Assert
        Assert.Equal(ids, read);
    }

    [Fact]
    public void MentionsOf_NoneStored_Empty()
    {
        // Arrange
        var none = new ChatMessage<string> { Mentions = MessageDetails.StoreMentions([]) };
        var nullJson = new ChatMessage<string> { Mentions = "null" };

        // Act and assert
        Assert.Null(none.Mentions);
        Assert.Empty(MessageDetails.MentionsOf(none));
        Assert.Empty(MessageDetails.MentionsOf(nullJson));
    }

    [Fact]
    public void MentionPatterns_StoredMentions_MatchExactlyTheIdsStored()
    {
        // Arrange: ids that contain others' JSON (quotes, commas, brackets), prefixes of one another, and escapes.
        string[] everyone = ["5", "55", "a\",\"5\"", "[\"5", "5\"]", "back\\slash", "émile", "😀", ",", "\"", ""];
        string[][] stored =
        [
            ["55"],
            ["a\",\"5\""],
            ["[\"5", "5\"]"],
            ["5"],
            ["x", "5"],
            ["émile", "back\\slash", ","],
            ["\"", ""],
        ];

        foreach (var ids in stored)
        {
            var json = MessageDetails.StoreMentions(ids)!;
            foreach (var id in everyone)
            {
                // Act: the test a read's recount applies in SQL (instr / strpos), ordinal like them.
                var (first, later) = MessageDetails.MentionPatterns(id);
                var matches = json.Contains(first, StringComparison.Ordinal) || json.Contains(later, StringComparison.Ordinal);

                // Assert
                Assert.True(matches == ids.Contains(id), $"{json} and '{id}': matched {matches}.");
            }
        }
    }
}

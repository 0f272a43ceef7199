using System.Globalization;
using System.Reflection;
using DfChat.Services;

namespace DfChat.Tests.Services;

/// <summary>The emoji rule of reactions (API.md §4, <c>AllowAnyEmoji</c>): Unicode's emoji data, not a character category.</summary>
public sealed class EmojiTextTests
{
    [Theory]
    // Emoji_Presentation characters, across the blocks.
    [InlineData("😀")]
    [InlineData("👍")]
    [InlineData("🎉")]
    [InlineData("🔥")]
    [InlineData("🚀")]
    [InlineData("🤖")]
    [InlineData("🥳")]
    [InlineData("🧠")]
    [InlineData("🫠")]
    [InlineData("🪿")]
    [InlineData("⌚")]
    [InlineData("⏰")]
    [InlineData("☕")]
    [InlineData("⚡")]
    [InlineData("⛔")]
    [InlineData("✅")]
    [InlineData("✨")]
    [InlineData("❌")]
    [InlineData("❓")]
    [InlineData("➕")]
    [InlineData("⭐")]
    [InlineData("⭕")]
    [InlineData("🀄")]
    [InlineData("🃏")]
    [InlineData("🆗")]
    [InlineData("🈚")]
    [InlineData("🟠")]
    // Emoji 16.0 (face with bags under eyes, fingerprint, harp, shovel, splatter).
    [InlineData("\U0001FAE9")]
    [InlineData("\U0001FAC6")]
    [InlineData("\U0001FA89")]
    [InlineData("\U0001FA8F")]
    [InlineData("\U0001FADF")]
    // Text-default pictographs made emoji by U+FE0F.
    [InlineData("ℹ️")]
    [InlineData("‼️")]
    [InlineData("⁉️")]
    [InlineData("©️")]
    [InlineData("®️")]
    [InlineData("™️")]
    [InlineData("❤️")]
    [InlineData("☺️")]
    [InlineData("✔️")]
    [InlineData("⬆️")]
    [InlineData("〰️")]
    [InlineData("㊗️")]
    [InlineData("🅰️")]
    [InlineData("🌡️")]
    [InlineData("🕊️")]
    [InlineData("🏳️")]
    // Emoji_Presentation with a (redundant) U+FE0F.
    [InlineData("😀\uFE0F")]
    // Skin tones.
    [InlineData("👍🏽")]
    [InlineData("👋🏻")]
    [InlineData("🧑🏿")]
    [InlineData("✌🏼")]
    [InlineData("☝🏾")]
    [InlineData("🏽")]
    // Keycaps, with and without U+FE0F.
    [InlineData("1️⃣")]
    [InlineData("0️⃣")]
    [InlineData("9️⃣")]
    [InlineData("#️⃣")]
    [InlineData("*️⃣")]
    [InlineData("1\u20E3")]
    [InlineData("🔟")]
    // Flags: regional indicator pairs and tag sequences.
    [InlineData("🇫🇷")]
    [InlineData("🇯🇵")]
    [InlineData("🇺🇳")]
    [InlineData("🇪🇺")]
    [InlineData("🏴󠁧󠁢󠁳󠁣󠁴󠁿")]
    [InlineData("🏴󠁧󠁢󠁥󠁮󠁧󠁿")]
    [InlineData("🏴")]
    // ZWJ sequences.
    [InlineData("👨‍👩‍👧")]
    [InlineData("👨‍👩‍👧‍👦")]
    [InlineData("👩‍❤️‍💋‍👨")]
    [InlineData("🏳️‍🌈")]
    [InlineData("🏳️‍⚧️")]
    [InlineData("🧑‍💻")]
    [InlineData("👩🏽‍🚀")]
    [InlineData("🧑‍⚕️")]
    [InlineData("👁️‍🗨️")]
    [InlineData("🐕‍🦺")]
    [InlineData("❤️‍🔥")]
    [InlineData("🐦‍⬛")]
    [InlineData("🫱🏻‍🫲🏿")]
    public void IsSingleEmoji_OneEmoji_True(string value)
    {
        Assert.True(EmojiText.IsSingleEmoji(value), $"{Describe(value)} should be one emoji.");
    }

    [Theory]
    // Text-default pictographs without U+FE0F, and symbols that are no pictographs at all.
    [InlineData("©")]
    [InlineData("®")]
    [InlineData("™")]
    [InlineData("‼")]
    [InlineData("ℹ")]
    [InlineData("❤")]
    [InlineData("☺")]
    [InlineData("↔")]
    [InlineData("°")]
    [InlineData("±")]
    [InlineData("§")]
    [InlineData("¶")]
    [InlineData("€")]
    [InlineData("√")]
    [InlineData("∞")]
    [InlineData("─")]
    [InlineData("│")]
    [InlineData("┼")]
    [InlineData("╬")]
    [InlineData("█")]
    [InlineData("░")]
    [InlineData("■")]
    [InlineData("●")]
    [InlineData("★")]
    [InlineData("♪")]
    [InlineData("☂")]
    [InlineData("⌘")]
    [InlineData("🄰")]
    [InlineData("𝄞")]
    // Text presentation asked for.
    [InlineData("⌚\uFE0E")]
    [InlineData("❤\uFE0E")]
    // Letters, digits, punctuation, space, controls.
    [InlineData("a")]
    [InlineData("Z")]
    [InlineData("é")]
    [InlineData("ж")]
    [InlineData("中")]
    [InlineData("1")]
    [InlineData("#")]
    [InlineData("*")]
    [InlineData("!")]
    [InlineData(" ")]
    [InlineData("\u200D")]
    [InlineData("\uFE0F")]
    [InlineData("\u20E3")]
    [InlineData("\t")]
    // Incomplete or broken sequences.
    [InlineData("1\uFE0F")]
    [InlineData("#\uFE0F")]
    [InlineData("🇫")]
    [InlineData("🏴\U000E0067\U000E0062")]
    [InlineData("👨‍")]
    [InlineData("\u200D👨")]
    [InlineData("👨‍‍👩")]
    [InlineData("👨‍a")]
    // More than one emoji, or emoji with text.
    [InlineData("👍👍")]
    [InlineData("👍🏽❤️")]
    [InlineData("🇫🇷🇩🇪")]
    [InlineData("👍 ")]
    [InlineData("a👍")]
    [InlineData("ok")]
    [InlineData("")]
    public void IsSingleEmoji_NotOneEmoji_False(string value)
    {
        Assert.False(EmojiText.IsSingleEmoji(value), $"{Describe(value)} should not count as one emoji.");
    }

    [Fact]
    public void IsSingleEmoji_UnpairedSurrogates_False()
    {
        Assert.False(EmojiText.IsSingleEmoji("\uD83D"));
        Assert.False(EmojiText.IsSingleEmoji("\uDC4D"));
        Assert.False(EmojiText.IsSingleEmoji("\uDC4D\uD83D"));
    }

    [Fact]
    public void IsSingleEmoji_LongZwjChain_False()
    {
        var chain = string.Join("\u200D", Enumerable.Repeat("👨", 11));

        Assert.False(EmojiText.IsSingleEmoji(chain));
    }

    [Theory]
    [InlineData(0x00A9, true)]
    [InlineData(0x00B0, false)]
    [InlineData(0x2122, true)]
    [InlineData(0x2500, false)]
    [InlineData(0x2614, true)]
    [InlineData(0x2686, false)]
    [InlineData(0x1F000, true)]
    [InlineData(0x1F1E6, false)]
    [InlineData(0x1F3FB, false)]
    [InlineData(0x1F600, true)]
    [InlineData(0x1FAFF, true)]
    [InlineData(0x1FB00, false)]
    [InlineData(0x1FFFD, true)]
    [InlineData(0x1FFFE, false)]
    public void IsExtendedPictographic_MatchesUnicode(int codePoint, bool expected)
    {
        Assert.Equal(expected, EmojiText.IsExtendedPictographic(codePoint));
    }

    [Theory]
    [InlineData(0x231A, true)]
    [InlineData(0x2328, false)]
    [InlineData(0x00A9, false)]
    [InlineData(0x2764, false)]
    [InlineData(0x1F1E6, true)]
    [InlineData(0x1F3FB, true)]
    [InlineData(0x1F321, false)]
    [InlineData(0x1F600, true)]
    [InlineData(0x1F6F4, true)]
    [InlineData(0x1FAE9, true)]
    [InlineData(0x1FAFF, false)]
    public void IsEmojiPresentation_MatchesUnicode(int codePoint, bool expected)
    {
        Assert.Equal(expected, EmojiText.IsEmojiPresentation(codePoint));
    }

    [Theory]
    [InlineData("ExtendedPictographic")]
    [InlineData("EmojiPresentation")]
    public void Tables_AreSortedDisjointPairs(string table)
    {
        var ranges = (int[])typeof(EmojiText).GetField(table, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;

        Assert.Equal(0, ranges.Length % 2);
        for (var i = 0; i < ranges.Length; i += 2)
        {
            Assert.True(ranges[i] <= ranges[i + 1], $"{table}: range {i / 2} is reversed.");
            if (i > 0)
                Assert.True(ranges[i] > ranges[i - 1] + 1, $"{table}: range {i / 2} overlaps or touches the previous one.");
        }
    }

    private static string Describe(string value) =>
        $"'{value}' ({string.Join(' ', value.EnumerateRunes().Select(r => "U+" + r.Value.ToString("X4", CultureInfo.InvariantCulture)))})";
}

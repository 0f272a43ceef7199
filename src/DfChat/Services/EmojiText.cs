using System.Globalization;
using System.Text;

namespace DfChat.Services;

/// <summary>
/// Whether a text is one emoji, by Unicode's emoji data (UTS #51) rather than by character category:
/// an emoji-presentation character, a pictograph made an emoji by U+FE0F, a keycap, a flag (two regional
/// indicators, or a tag sequence), any of these with a skin-tone modifier, or a ZWJ sequence of them.
/// </summary>
/// <remarks>
/// A text-default pictograph without U+FE0F (<c>©</c>, <c>™</c>, <c>‼</c>) is text, as Unicode defines it,
/// and so are symbols that are not pictographs at all (<c>°</c>, box drawing). The tables below are the
/// code-point ranges of the properties <c>Extended_Pictographic</c> and <c>Emoji_Presentation</c> of
/// emoji-data.txt, Unicode 15.0, with the Emoji_Presentation characters of Emoji 16.0 added (U+1FA89,
/// U+1FA8F, U+1FABE, U+1FAC6, U+1FADC, U+1FADF, U+1FAE9; Emoji 15.1 added sequences only). Adjacent
/// ranges are merged. Extended_Pictographic reserves whole blocks for future pictographs, so a newer
/// emoji written with U+FE0F is accepted before these tables know it.
/// </remarks>
internal static class EmojiText
{
    /// <summary>At most this many emoji joined by ZWJ: the longest recommended sequence (a family or a kiss) has 4.</summary>
    private const int MaxJoined = 10;

    private const int ZeroWidthJoiner = 0x200D;
    private const int EmojiSelector = 0xFE0F;
    private const int CombiningKeycap = 0x20E3;
    private const int BlackFlag = 0x1F3F4;
    private const int CancelTag = 0xE007F;

    /// <summary>Whether <paramref name="value"/> is exactly one emoji (one grapheme cluster).</summary>
    public static bool IsSingleEmoji(string value)
    {
        if (value.Length is 0 or > 64 || new StringInfo(value).LengthInTextElements != 1)
            return false;
        var runes = new List<int>(value.Length);
        foreach (var rune in value.EnumerateRunes())
            runes.Add(rune.Value);
        if (runes.Contains(Rune.ReplacementChar.Value))
            return false;

        var at = 0;
        for (var joined = 1; ; joined++)
        {
            if (!ReadElement(runes, ref at))
                return false;
            if (at == runes.Count)
                return true;
            if (runes[at] != ZeroWidthJoiner || joined == MaxJoined)
                return false;
            at++;
        }
    }

    /// <summary>Whether <paramref name="codePoint"/> has Unicode's Extended_Pictographic property.</summary>
    public static bool IsExtendedPictographic(int codePoint) => InRanges(ExtendedPictographic, codePoint);

    /// <summary>Whether <paramref name="codePoint"/> has Unicode's Emoji_Presentation property (shown as emoji without U+FE0F).</summary>
    public static bool IsEmojiPresentation(int codePoint) => InRanges(EmojiPresentation, codePoint);

    /// <summary>Reads one emoji of a ZWJ sequence at <paramref name="at"/>, moving past it; false when none is there.</summary>
    private static bool ReadElement(List<int> runes, ref int at)
    {
        if (at >= runes.Count)
            return false;
        var first = runes[at++];
        if (IsRegionalIndicator(first))
        {
            // A flag is a pair; a lone regional indicator is a letter.
            if (at < runes.Count && IsRegionalIndicator(runes[at]))
            {
                at++;
                return true;
            }

            return false;
        }

        if (first is '#' or '*' or (>= '0' and <= '9'))
        {
            // A keycap: the key, U+FE0F (which older keyboards leave out), U+20E3.
            if (at < runes.Count && runes[at] == EmojiSelector)
                at++;
            if (at < runes.Count && runes[at] == CombiningKeycap)
            {
                at++;
                return true;
            }

            return false;
        }

        if (!IsExtendedPictographic(first) && !IsEmojiPresentation(first))
            return false;
        if (first == BlackFlag && at < runes.Count && IsTag(runes[at]))
        {
            // A subdivision flag: the black flag, tag letters, the cancel tag.
            while (at < runes.Count && IsTag(runes[at]))
                at++;
            if (at < runes.Count && runes[at] == CancelTag)
            {
                at++;
                return true;
            }

            return false;
        }

        if (at < runes.Count && (runes[at] == EmojiSelector || IsSkinTone(runes[at])))
        {
            at++;
            return true;
        }

        // Without U+FE0F, a text-default pictograph (©, ™, ‼) is text.
        return IsEmojiPresentation(first);
    }

    private static bool IsRegionalIndicator(int codePoint) => codePoint is >= 0x1F1E6 and <= 0x1F1FF;

    private static bool IsSkinTone(int codePoint) => codePoint is >= 0x1F3FB and <= 0x1F3FF;

    private static bool IsTag(int codePoint) => codePoint is >= 0xE0020 and <= 0xE007E;

    /// <summary>Binary search over sorted, disjoint [start, end] pairs.</summary>
    private static bool InRanges(int[] ranges, int codePoint)
    {
        int low = 0, high = (ranges.Length / 2) - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (codePoint < ranges[2 * middle])
                high = middle - 1;
            else if (codePoint > ranges[(2 * middle) + 1])
                low = middle + 1;
            else
                return true;
        }

        return false;
    }

    private static readonly int[] ExtendedPictographic =
    [
        0xA9, 0xA9, 0xAE, 0xAE, 0x203C, 0x203C, 0x2049, 0x2049, 0x2122, 0x2122, 0x2139, 0x2139,
        0x2194, 0x2199, 0x21A9, 0x21AA, 0x231A, 0x231B, 0x2328, 0x2328, 0x2388, 0x2388, 0x23CF, 0x23CF,
        0x23E9, 0x23F3, 0x23F8, 0x23FA, 0x24C2, 0x24C2, 0x25AA, 0x25AB, 0x25B6, 0x25B6, 0x25C0, 0x25C0,
        0x25FB, 0x25FE, 0x2600, 0x2605, 0x2607, 0x2612, 0x2614, 0x2685, 0x2690, 0x2705, 0x2708, 0x2712,
        0x2714, 0x2714, 0x2716, 0x2716, 0x271D, 0x271D, 0x2721, 0x2721, 0x2728, 0x2728, 0x2733, 0x2734,
        0x2744, 0x2744, 0x2747, 0x2747, 0x274C, 0x274C, 0x274E, 0x274E, 0x2753, 0x2755, 0x2757, 0x2757,
        0x2763, 0x2767, 0x2795, 0x2797, 0x27A1, 0x27A1, 0x27B0, 0x27B0, 0x27BF, 0x27BF, 0x2934, 0x2935,
        0x2B05, 0x2B07, 0x2B1B, 0x2B1C, 0x2B50, 0x2B50, 0x2B55, 0x2B55, 0x3030, 0x3030, 0x303D, 0x303D,
        0x3297, 0x3297, 0x3299, 0x3299, 0x1F000, 0x1F0FF, 0x1F10D, 0x1F10F, 0x1F12F, 0x1F12F, 0x1F16C, 0x1F171,
        0x1F17E, 0x1F17F, 0x1F18E, 0x1F18E, 0x1F191, 0x1F19A, 0x1F1AD, 0x1F1E5, 0x1F201, 0x1F20F, 0x1F21A, 0x1F21A,
        0x1F22F, 0x1F22F, 0x1F232, 0x1F23A, 0x1F23C, 0x1F23F, 0x1F249, 0x1F3FA, 0x1F400, 0x1F53D, 0x1F546, 0x1F64F,
        0x1F680, 0x1F6FF, 0x1F774, 0x1F77F, 0x1F7D5, 0x1F7FF, 0x1F80C, 0x1F80F, 0x1F848, 0x1F84F, 0x1F85A, 0x1F85F,
        0x1F888, 0x1F88F, 0x1F8AE, 0x1F8FF, 0x1F90C, 0x1F93A, 0x1F93C, 0x1F945, 0x1F947, 0x1FAFF, 0x1FC00, 0x1FFFD,
    ];

    private static readonly int[] EmojiPresentation =
    [
        0x231A, 0x231B, 0x23E9, 0x23EC, 0x23F0, 0x23F0, 0x23F3, 0x23F3, 0x25FD, 0x25FE, 0x2614, 0x2615,
        0x2648, 0x2653, 0x267F, 0x267F, 0x2693, 0x2693, 0x26A1, 0x26A1, 0x26AA, 0x26AB, 0x26BD, 0x26BE,
        0x26C4, 0x26C5, 0x26CE, 0x26CE, 0x26D4, 0x26D4, 0x26EA, 0x26EA, 0x26F2, 0x26F3, 0x26F5, 0x26F5,
        0x26FA, 0x26FA, 0x26FD, 0x26FD, 0x2705, 0x2705, 0x270A, 0x270B, 0x2728, 0x2728, 0x274C, 0x274C,
        0x274E, 0x274E, 0x2753, 0x2755, 0x2757, 0x2757, 0x2795, 0x2797, 0x27B0, 0x27B0, 0x27BF, 0x27BF,
        0x2B1B, 0x2B1C, 0x2B50, 0x2B50, 0x2B55, 0x2B55, 0x1F004, 0x1F004, 0x1F0CF, 0x1F0CF, 0x1F18E, 0x1F18E,
        0x1F191, 0x1F19A, 0x1F1E6, 0x1F1FF, 0x1F201, 0x1F201, 0x1F21A, 0x1F21A, 0x1F22F, 0x1F22F, 0x1F232, 0x1F236,
        0x1F238, 0x1F23A, 0x1F250, 0x1F251, 0x1F300, 0x1F320, 0x1F32D, 0x1F335, 0x1F337, 0x1F37C, 0x1F37E, 0x1F393,
        0x1F3A0, 0x1F3CA, 0x1F3CF, 0x1F3D3, 0x1F3E0, 0x1F3F0, 0x1F3F4, 0x1F3F4, 0x1F3F8, 0x1F43E, 0x1F440, 0x1F440,
        0x1F442, 0x1F4FC, 0x1F4FF, 0x1F53D, 0x1F54B, 0x1F54E, 0x1F550, 0x1F567, 0x1F57A, 0x1F57A, 0x1F595, 0x1F596,
        0x1F5A4, 0x1F5A4, 0x1F5FB, 0x1F64F, 0x1F680, 0x1F6C5, 0x1F6CC, 0x1F6CC, 0x1F6D0, 0x1F6D2, 0x1F6D5, 0x1F6D7,
        0x1F6DC, 0x1F6DF, 0x1F6EB, 0x1F6EC, 0x1F6F4, 0x1F6FC, 0x1F7E0, 0x1F7EB, 0x1F7F0, 0x1F7F0, 0x1F90C, 0x1F93A,
        0x1F93C, 0x1F945, 0x1F947, 0x1F9FF, 0x1FA70, 0x1FA7C, 0x1FA80, 0x1FA89, 0x1FA8F, 0x1FAC6, 0x1FACE, 0x1FADC,
        0x1FADF, 0x1FAE9, 0x1FAF0, 0x1FAF8,
    ];
}

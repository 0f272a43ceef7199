using System.Globalization;
using System.Text;
using DfChat.Options;

namespace DfChat;

/// <summary>Decides whether a reaction value is accepted by the configured policy.</summary>
internal static class ReactionPolicy
{
    public static bool Accepts(ReactionOptions options, string? value)
    {
        if (string.IsNullOrEmpty(value))
            return false;
        if (options.EffectiveAllowed.Contains(value, StringComparer.Ordinal))
            return true;
        if (options.AllowAnyEmoji && IsSingleEmoji(value))
            return true;
        return options.AllowCustomText
            && value.Length <= options.MaxCustomTextLength
            && !string.IsNullOrWhiteSpace(value)
            && !value.Any(char.IsControl);
    }

    /// <summary>One grapheme cluster that is pictographic: an emoji, with its modifiers, joiners, flags or keycap.</summary>
    public static bool IsSingleEmoji(string value)
    {
        if (value.Length > 64 || new StringInfo(value).LengthInTextElements != 1)
            return false;
        foreach (var rune in value.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.OtherSymbol || rune.Value == 0x20E3)
                return true;
        }

        return false;
    }
}

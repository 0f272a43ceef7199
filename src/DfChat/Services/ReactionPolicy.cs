using DfChat.Options;

namespace DfChat.Services;

/// <summary>Decides whether a reaction value is accepted by the configured policy.</summary>
internal static class ReactionPolicy
{
    public static bool Accepts(ReactionOptions options, string? value)
    {
        if (string.IsNullOrEmpty(value))
            return false;
        if (options.EffectiveAllowed.Contains(value, StringComparer.Ordinal))
            return true;
        if (options.AllowAnyEmoji && EmojiText.IsSingleEmoji(value))
            return true;
        return options.AllowCustomText
            && value.Length <= options.MaxCustomTextLength
            && !string.IsNullOrWhiteSpace(value)
            && !value.Any(char.IsControl);
    }
}

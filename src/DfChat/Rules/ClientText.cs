namespace DfChat.Rules;

/// <summary>
/// The one rule every text from a client meets (API.md §2): no U+0000 and no unpaired surrogate.
/// Every other character, control and zero-width characters included, is kept as sent.
/// </summary>
/// <remarks>
/// PostgreSQL refuses U+0000 in text, and an unpaired surrogate has no UTF-8 form: either would fail
/// deep inside a write (a 5xx) instead of being refused as the invalid input it is.
/// </remarks>
internal static class ClientText
{
    /// <summary>What a refusal says about the field.</summary>
    public const string Rule = "must not hold U+0000 or an unpaired surrogate";

    /// <summary>Whether <paramref name="text"/> (null counts as acceptable) meets the rule.</summary>
    public static bool IsAcceptable(string? text)
    {
        if (text is null)
            return true;
        var span = text.AsSpan();
        if (span.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
            return !span.Contains('\0');
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (c == '\0')
                return false;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= span.Length || !char.IsLowSurrogate(span[i + 1]))
                    return false;
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}

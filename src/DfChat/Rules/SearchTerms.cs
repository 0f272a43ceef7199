using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DfChat.Rules;

/// <summary>
/// The words of a message search (API.md §8): runs of letters, digits and combining marks, folded the way
/// the full-text indexes fold the messages' text (lower case, diacritics removed), the last one also
/// matching as a prefix (<c>caf</c> finds "Café").
/// </summary>
/// <remarks>
/// Each word holds letters, digits and marks only, and each is quoted again in the index's own query
/// syntax (<see cref="ToFts5Match"/>, <see cref="ToTsQuery"/>), so no text of a search ever acts as an
/// operator of FTS5 or of <c>to_tsquery</c>.
/// </remarks>
internal sealed class SearchTerms
{
    /// <summary>The longest search, in UTF-16 code units.</summary>
    public const int MaxLength = 200;

    private SearchTerms(IReadOnlyList<string> words) => Words = words;

    /// <summary>The folded words, in the order given; the last one matches as a prefix.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>Checks <paramref name="q"/> (1–<see cref="MaxLength"/> characters, acceptable client text) and splits it into words.</summary>
    public static ChatError? TryParse(string? q, out SearchTerms terms)
    {
        terms = new SearchTerms([]);
        if (string.IsNullOrEmpty(q) || q.Length > MaxLength)
            return ChatError.Invalid("q", $"q must be 1 to {MaxLength} characters.");
        if (!ClientText.IsAcceptable(q))
            return ChatError.Invalid("q", $"q {ClientText.Rule}.");
        terms = new SearchTerms(Split(q));
        return null;
    }

    /// <summary>A short stable digest of the words, so that a cursor belongs to one search.</summary>
    public string Digest() =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(' ', Words))), 0, 8);

    /// <summary>
    /// An FTS5 query: every word as a quoted phrase, ANDed, the last one as a prefix, or, when
    /// <paramref name="lastWordTerms"/> lists the index's terms that start with it, as those whole terms OR'ed.
    /// </summary>
    public string ToFts5Match(IReadOnlyList<string>? lastWordTerms = null)
    {
        var words = Words.Select((w, i) => i < Words.Count - 1 || lastWordTerms is null ? Quote(w) + (i == Words.Count - 1 ? "*" : "") : null)
            .Where(w => w is not null)
            .ToList();
        if (lastWordTerms is not null)
            words.Add("(" + string.Join(" OR ", lastWordTerms.Select(Quote)) + ")");
        // FTS5 takes no implicit AND before a parenthesis.
        return string.Join(" AND ", words);

        static string Quote(string word) => "\"" + word.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>A <c>to_tsquery</c> text: every word as a quoted lexeme joined with AND, the last one as a prefix.</summary>
    public string ToTsQuery() =>
        string.Join(" & ", Words.Select((w, i) => "'" + w.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'" + (i == Words.Count - 1 ? ":*" : "")));

    /// <summary>Lower case without diacritics: "Crème" becomes "creme".</summary>
    public static string Fold(string word)
    {
        var decomposed = word.Normalize(NormalizationForm.FormD);
        var kept = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
                kept.Append(c);
        }

        return kept.ToString().Normalize(NormalizationForm.FormC).ToLowerInvariant();
    }

    private static List<string> Split(string q)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var rune in q.EnumerateRunes())
        {
            if (IsWordPart(Rune.GetUnicodeCategory(rune)))
            {
                current.Append(rune.ToString());
                continue;
            }

            Flush();
        }

        Flush();
        return words;

        void Flush()
        {
            if (current.Length == 0)
                return;
            var folded = Fold(current.ToString());
            if (folded.Length > 0)
                words.Add(folded);
            current.Clear();
        }
    }

    private static bool IsWordPart(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => true,
        _ => false,
    };
}

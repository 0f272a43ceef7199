using DfChat.Entities;
using DfChat.Models;
using DfChat.Options;
using DfChat.Rules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DfChat.Services;

/// <summary>The part of <see cref="ChatStore{TUser, TKey}"/> that pages lists by keyset: limits, cursors and the next cursor.</summary>
internal sealed partial class ChatStore<TUser, TKey>
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public ChatError? ValidatePage(PageRequest page, string scope, out int limit, out Cursor? cursor)
    {
        limit = page.Limit ?? Options.DefaultPageSize;
        cursor = null;
        if (limit < 1 || limit > Options.MaxPageSize)
            return ChatError.Invalid("limit", $"limit must be between 1 and {Options.MaxPageSize}.");
        if (page.Cursor is null)
            return null;
        if (!Cursor.TryDecode(page.Cursor, scope, out var decoded))
            return ChatError.Invalid("cursor", "The cursor is not one this list returned.");
        cursor = decoded;
        return null;
    }

    /// <summary>Takes <paramref name="limit"/> of <paramref name="rows"/> (fetched as limit + 1) and the cursor after the last.</summary>
    public static (List<T> Page, string? Next) Paginate<T>(List<T> rows, int limit, string scope, Func<T, (long Ticks, long Id)> position)
    {
        if (rows.Count <= limit)
            return (rows, null);
        rows.RemoveRange(limit, rows.Count - limit);
        var (ticks, id) = position(rows[^1]);
        return (rows, Cursor.Encode(scope, ticks, id));
    }
}

namespace DfChat.AspNetCore.Contracts;

/// <summary>Body of <c>POST /rooms/{roomId}/read</c>.</summary>
public sealed record MarkReadBody
{
    /// <summary>The message read up to; absent means now.</summary>
    public string? MessageId { get; init; }
}

/// <summary>Body of <c>PATCH /rooms/{roomId}/messages/{messageId}</c>.</summary>
public sealed record EditMessageBody
{
    /// <summary>The new text.</summary>
    public string? Text { get; init; }

    /// <summary>The members the message mentions from now on, replacing the earlier ones.</summary>
    public IReadOnlyList<string>? Mentions { get; init; }
}

/// <summary>Body of <c>POST /rooms/{roomId}/messages/{messageId}/reactions</c>.</summary>
public sealed record AddReactionBody
{
    /// <summary>The reaction value, within the configured policy.</summary>
    public string? Reaction { get; init; }
}

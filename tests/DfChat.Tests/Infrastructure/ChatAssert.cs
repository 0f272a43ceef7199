namespace DfChat.Tests.Infrastructure;

/// <summary>Assertions on chat results that say what went wrong.</summary>
public static class ChatAssert
{
    public static T Ok<T>(this ChatResult<T> result)
    {
        Assert.True(result.Succeeded, $"Expected success, got {result.Error}");
        return result.Value!;
    }

    public static void Ok(this ChatResult result) =>
        Assert.True(result.Succeeded, $"Expected success, got {result.Error}");

    public static T Created<T>(this ChatResult<T> result)
    {
        var value = result.Ok();
        Assert.True(result.Created, "Expected a new resource (201), got an existing one (200).");
        return value;
    }

    public static T Existing<T>(this ChatResult<T> result)
    {
        var value = result.Ok();
        Assert.False(result.Created, "Expected the existing resource (200), got a new one (201).");
        return value;
    }

    public static ChatError Fails<T>(this ChatResult<T> result, ChatErrorKind kind, string? field = null) =>
        Check(result.Error, kind, field);

    public static ChatError Fails(this ChatResult result, ChatErrorKind kind, string? field = null) =>
        Check(result.Error, kind, field);

    private static ChatError Check(ChatError? error, ChatErrorKind kind, string? field)
    {
        Assert.NotNull(error);
        Assert.Equal(kind, error.Kind);
        if (field is not null)
            Assert.Equal(field, error.Field);
        return error;
    }
}

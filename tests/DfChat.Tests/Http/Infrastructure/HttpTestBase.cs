namespace DfChat.Tests.Http.Infrastructure;

/// <summary>
/// Base of every HTTP test class: the class's host, shared by its tests. Derived classes bind it to a
/// provider; on PostgreSQL without <see cref="ChatApiFactory.PostgresVariable"/>, each test reports skipped.
/// </summary>
public abstract class HttpTestBase
{
    protected HttpTestBase(ChatApiFactory api)
    {
        Api = api;
        api.SkipIfUnavailable();
    }

    protected ChatApiFactory Api { get; }

    protected Task<ChatUser> UserAsync(string name = "user") => Api.CreateUserAsync(name);
}

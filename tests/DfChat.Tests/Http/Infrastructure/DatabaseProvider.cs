namespace DfChat.Tests.Http.Infrastructure;

/// <summary>The database behind a test host: every HTTP test runs against each.</summary>
public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

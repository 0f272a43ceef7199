using DfChat.Tests.Http.Infrastructure;
using DfChat.Tests.RealTime;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("DfChat.Tests.Infrastructure.ChatTestFramework", "DfChat.Tests")]

namespace DfChat.Tests.Infrastructure;

/// <summary>The test needs a Redis server at <see cref="NodeTestBase.RedisVariable"/> (as opposed to one it starts itself).</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, Inherited = true)]
public sealed class RequiresRedisAttribute : Attribute;

/// <summary>
/// A group of tests that needs a server the machine may not have: PostgreSQL for every class named
/// <c>Postgres…</c> (the PostgreSQL half of each provider pair), Redis for tests marked
/// <see cref="RequiresRedisAttribute"/>.
/// </summary>
/// <param name="Name">The group, as the skip line names it.</param>
/// <param name="Variable">The environment variable that enables it.</param>
/// <param name="Example">A value of <paramref name="Variable"/>, for the skip line.</param>
public sealed record TestServerGroup(string Name, string Variable, string Example)
{
    public static readonly TestServerGroup Postgres = new("PostgreSQL", ChatApiFactory.PostgresVariable, "Host=127.0.0.1;Username=postgres;Database=postgres");

    public static readonly TestServerGroup Redis = new("Redis", NodeTestBase.RedisVariable, "127.0.0.1:6379");

    public bool IsAvailable => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable));

    /// <summary>The one line a run without the server prints for the whole group.</summary>
    public string SkipLine => $"{Name} tests not run: set {Variable} (e.g. {Variable}=\"{Example}\"; .ci/run starts a server and sets it) to run them";

    /// <summary>The first group the test needs and the machine lacks, or null when it can run.</summary>
    public static TestServerGroup? Missing(ITestMethod method)
    {
        if (method.TestClass.Class.Name.Split('.', '+')[^1].StartsWith("Postgres", StringComparison.Ordinal) && !Postgres.IsAvailable)
            return Postgres;
        var needsRedis = method.Method.GetCustomAttributes(typeof(RequiresRedisAttribute)).Any()
            || method.TestClass.Class.GetCustomAttributes(typeof(RequiresRedisAttribute)).Any();
        return needsRedis && !Redis.IsAvailable ? Redis : null;
    }
}

/// <summary>
/// xunit as usual, except that the tests of a server the machine lacks are not discovered one by one:
/// each such group reports a single skipped test whose name says why and how to enable it, instead of
/// hundreds of skip lines. With the variables set (as .ci/run does), every test is discovered and runs.
/// </summary>
public sealed class ChatTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo) =>
        new ChatTestFrameworkDiscoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);
}

/// <summary>Discovers tests; one skipped stand-in per missing server group.</summary>
public sealed class ChatTestFrameworkDiscoverer(IAssemblyInfo assemblyInfo, ISourceInformationProvider sourceProvider, IMessageSink diagnosticMessageSink)
    : XunitTestFrameworkDiscoverer(assemblyInfo, sourceProvider, diagnosticMessageSink)
{
    private readonly HashSet<string> _reported = [];
    private readonly Lock _gate = new();

    protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
    {
        if (TestServerGroup.Missing(testMethod) is not { } group || !testMethod.Method.GetCustomAttributes(typeof(FactAttribute)).Any())
            return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
        lock (_gate)
        {
            if (!_reported.Add(group.Name))
                return true;
        }

        var standIn = new SkippedGroupTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, group.SkipLine);
        return ReportDiscoveredTestCase(standIn, includeSourceInformation, messageBus);
    }
}

/// <summary>The one skipped test that stands for a whole group; its name is the reason.</summary>
public sealed class SkippedGroupTestCase : XunitTestCase
{
    private string _line = "";

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public SkippedGroupTestCase()
    {
    }

    public SkippedGroupTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod method, string line)
        : base(sink, display, options, method) => _line = line;

    protected override string GetDisplayName(IAttributeInfo factAttribute, string displayName) => _line;

    protected override string GetSkipReason(IAttributeInfo factAttribute) => _line;

    public override void Serialize(IXunitSerializationInfo data)
    {
        base.Serialize(data);
        data.AddValue("Line", _line);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        _line = data.GetValue<string>("Line");
        base.Deserialize(data);
    }
}

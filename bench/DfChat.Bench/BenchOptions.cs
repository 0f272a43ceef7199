using System.Globalization;

namespace DfChat.Bench;

/// <summary>What to run and how long, from the command line.</summary>
/// <remarks>
/// <c>send|fanout|read|inbox|search|inprocess|all [--provider sqlite|postgres|sqlite,postgres] [--seconds N] [--warmup N] [--settle N] [--rounds N]
/// [--connections 1,32] [--recipients N] [--messages N] [--catch-up N] [--inbox-rooms N] [--unread N] [--population N] [--postgres CONNECTION] [--redis HOST:PORT] [--out FILE] [--lock FILE] [--smoke]</c>.
/// PostgreSQL's server comes from <c>--postgres</c>, else <c>DFCHAT_BENCH_POSTGRES</c>, else
/// <c>DFCHAT_TEST_POSTGRES</c> (what CI sets for the tests); each run creates its own databases in it and
/// drops them afterwards.
/// </remarks>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: dotnet run -c Release --project bench/DfChat.Bench -- <scenario> [options]
          scenarios: send | fanout | read | inbox | search | inprocess | all
          --provider sqlite|postgres     one provider (default: both; postgres only with a server)
          --seconds N                    measured seconds of each load run (default 5)
          --warmup N                     seconds of warm-up before each load run (default 2)
          --settle N                     seconds of unmeasured load on each server once started, so
                                         that the JIT's tiered recompilation is over (default 15)
          --rounds N                     rounds of baseline-then-DfChat runs, pooled (default 3)
          --connections 1,32             concurrent connections of the load runs (default 1,32)
          --recipients N                 connected members of the fan-out room (default 1000)
          --messages N                   messages in the room of the read and search scenarios (default 1000000)
          --catch-up N                   messages the catch-up reads with ?after= (default 10000)
          --inbox-rooms N                rooms of the inbox scenario's users, and of the search
                                         scenario's reader, its big room included (default 1000)
          --unread N                     messages in each of those rooms (default 1000)
          --population N                 other users, and group rooms of two of them, seeded around
                                         the read and inbox scenarios' own rows (default 10000)
          --postgres CONNECTION          PostgreSQL server to create the bench databases in
                                         (default: $DFCHAT_BENCH_POSTGRES, else $DFCHAT_TEST_POSTGRES)
          --redis HOST:PORT              fan-out through a Redis backplane, counting its messages
                                         (default: $DFCHAT_BENCH_REDIS, else $DFCHAT_TEST_REDIS; none: one node)
          --out FILE                     also write the markdown report to FILE
          --lock FILE                    hold flock(FILE) during each measurement, so that builds
                                         and tests taking the same lock wait for it to end
          --smoke                        every scenario at a tiny size, ~1 s per load run; fails unless
                                         every figure was produced (never a timing)
        """;

    public required string Scenario { get; init; }

    public required IReadOnlyList<string> Providers { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Unmeasured load on each freshly started server: tiered compilation keeps recompiling a .NET server's
    /// hot paths for its first thousands of requests (measured: the sample host spent ~75% of a core in the
    /// JIT during its first 2,000 sends), which a 2-second warm-up leaves inside the measurement.
    /// </summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How many times the baseline and DfChat are measured in alternation; their figures pool the rounds.</summary>
    public int Rounds { get; init; } = 3;

    public IReadOnlyList<int> Connections { get; init; } = [1, 32];

    public int Recipients { get; init; } = 1000;

    /// <summary>Messages seeded into the one room of the read scenario (issue 11: 1,000,000).</summary>
    public int Messages { get; init; } = 1_000_000;

    /// <summary>How many messages back the catch-up starts (<c>?after=</c>), paged to the end (issue 11: 10,000).</summary>
    public int CatchUp { get; init; } = 10_000;

    /// <summary>Rooms of the inbox scenario's user (issue 11: 1,000).</summary>
    public int InboxRooms { get; init; } = 1000;

    /// <summary>Users, and group rooms of two of them, seeded beside what the read and inbox scenarios read: a busy site's tables, not a few rows.</summary>
    public int Population { get; init; } = 10_000;

    /// <summary>Unread messages in each of the inbox's rooms (issue 11: 1,000).</summary>
    public int Unread { get; init; } = 1000;

    public string? PostgresConnectionString { get; init; }

    public string? Redis { get; init; }

    public string? OutputFile { get; init; }

    /// <summary>A lock file held during each measurement (see <see cref="MachineLock"/>).</summary>
    public string? LockFile { get; init; }

    public bool Smoke { get; init; }

    /// <summary>The arguments as given, to print the command that reproduces the run.</summary>
    public required IReadOnlyList<string> Arguments { get; init; }

    public static readonly string[] Scenarios = ["send", "fanout", "read", "inbox", "search", "inprocess", "all"];

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a message for the user.</summary>
    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || !Scenarios.Contains(args[0]))
            throw new ArgumentException($"Name a scenario first: {string.Join(", ", Scenarios)}.");

        string? providers = null, postgres = null, redis = null, output = null, lockFile = null;
        double? seconds = null, warmUp = null, settle = null;
        int? recipients = null, rounds = null, messages = null, catchUp = null, inboxRooms = null, unread = null, population = null;
        IReadOnlyList<int>? connections = null;
        var smoke = false;
        for (var i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--provider": providers = Value(); break;
                case "--seconds": seconds = ParseNumber(args[i], Value()); break;
                case "--warmup": warmUp = ParseNumber(args[i], Value()); break;
                case "--settle": settle = ParseNumber(args[i], Value()); break;
                case "--connections": connections = [.. Value().Split(',').Select(c => (int)ParseNumber("--connections", c))]; break;
                case "--recipients": recipients = (int)ParseNumber(args[i], Value()); break;
                case "--rounds": rounds = (int)ParseNumber(args[i], Value()); break;
                case "--messages": messages = (int)ParseNumber(args[i], Value()); break;
                case "--catch-up": catchUp = (int)ParseNumber(args[i], Value()); break;
                case "--inbox-rooms": inboxRooms = (int)ParseNumber(args[i], Value()); break;
                case "--unread": unread = (int)ParseNumber(args[i], Value()); break;
                case "--population": population = (int)ParseNumber(args[i], Value()); break;
                case "--postgres": postgres = Value(); break;
                case "--redis": redis = Value(); break;
                case "--out": output = Value(); break;
                case "--lock": lockFile = Value(); break;
                case "--smoke": smoke = true; break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }

        postgres ??= NonEmpty(Environment.GetEnvironmentVariable("DFCHAT_BENCH_POSTGRES"))
            ?? NonEmpty(Environment.GetEnvironmentVariable("DFCHAT_TEST_POSTGRES"));
        IReadOnlyList<string> chosen = providers is null
            ? postgres is null ? ["sqlite"] : ["sqlite", "postgres"]
            : [.. providers.Split(',').Select(p => p.Trim().ToLowerInvariant())];
        if (chosen.Any(p => p is not ("sqlite" or "postgres")))
            throw new ArgumentException("--provider takes sqlite, postgres or both (sqlite,postgres).");
        messages ??= smoke ? 3000 : 1_000_000;
        catchUp ??= smoke ? 500 : 10_000;
        if (catchUp >= messages)
            throw new ArgumentException("--catch-up must be fewer than --messages.");
        if (population < 2)
            throw new ArgumentException("--population needs at least 2 users: its rooms have two members.");
        if (chosen.Contains("postgres") && postgres is null)
            throw new ArgumentException("PostgreSQL needs a server: --postgres \"Host=...;Username=...;Database=postgres\" or DFCHAT_BENCH_POSTGRES.");

        return new BenchOptions
        {
            Scenario = args[0],
            Providers = chosen,
            Duration = TimeSpan.FromSeconds(seconds ?? (smoke ? 1 : 5)),
            WarmUp = TimeSpan.FromSeconds(warmUp ?? (smoke ? 0.25 : 2)),
            Settle = TimeSpan.FromSeconds(settle ?? (smoke ? 0.5 : 15)),
            Rounds = rounds ?? (smoke ? 1 : 3),
            Connections = connections ?? [1, 32],
            Recipients = recipients ?? (smoke ? 20 : 1000),
            Messages = messages.Value,
            CatchUp = catchUp.Value,
            InboxRooms = inboxRooms ?? (smoke ? 60 : 1000),
            Unread = unread ?? (smoke ? 50 : 1000),
            Population = population ?? (smoke ? 50 : 10_000),
            PostgresConnectionString = postgres,
            Redis = redis ?? NonEmpty(Environment.GetEnvironmentVariable("DFCHAT_BENCH_REDIS")) ?? NonEmpty(Environment.GetEnvironmentVariable("DFCHAT_TEST_REDIS")),
            OutputFile = output,
            LockFile = lockFile,
            Smoke = smoke,
            Arguments = args,
        };
    }

    private static double ParseNumber(string option, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{option} takes a positive number, not '{text}'.");

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}

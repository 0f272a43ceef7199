namespace DfChat.Bench.InProcess;

/// <summary>
/// What mentions add to a send on the write path alone (no HTTP): rounds of concurrent sends through the chat's
/// services, each naming 5 members in <c>mentions</c> or none, alternating on two identical SQLite databases.
/// </summary>
internal static class MentionSendsBenchmark
{
    public static async Task RunAsync(string folder, bool small, Action<string> report)
    {
        var (senders, rounds) = small ? (6, 5) : (32, 200);
        await using var plain = await SearchRowsBenchmark.SendHost.CreateAsync(Path.Combine(folder, "mentions-plain.db"), senders, oldTrigger: false);
        await using var mentioning = await SearchRowsBenchmark.SendHost.CreateAsync(Path.Combine(folder, "mentions-five.db"), senders, oldTrigger: false);

        await MeasureAsync($"{senders} concurrent sends", rounds, plain.SendRoundAsync, mentioning.SendRoundAsync, report);
        await MeasureAsync($"{senders} sends one after another", rounds / 4, plain.SendOneByOneAsync, mentioning.SendOneByOneAsync, report);
    }

    private static async Task MeasureAsync(string what, int rounds, Func<int, int, Task<double>> plain, Func<int, int, Task<double>> mentioning, Action<string> report)
    {
        var (plainTimes, mentionTimes) = (new List<double>(), new List<double>());
        for (var round = 0; round < rounds + 5; round++)
        {
            var a = await plain(round, 0);
            var b = await mentioning(round, 5);
            if (round < 5)
                continue;
            plainTimes.Add(a);
            mentionTimes.Add(b);
        }

        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
        var (p, m) = (Median(plainTimes), Median(mentionTimes));
        report($"  {what}, median of {rounds} rounds: plain {p:F2} ms, each mentioning 5 members {m:F2} ms: {m / p:F2}x the time of a plain round");
    }
}

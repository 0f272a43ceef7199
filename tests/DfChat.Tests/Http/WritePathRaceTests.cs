using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DfChat.Entities;
using DfChat.Events;
using DfChat.Tests.Http.Infrastructure;
using DfChat.Tests.RealTime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Http;

/// <summary>
/// Issue 9, "one write path": writes racing each other in one room, as real clients race. Whatever
/// runs side by side, no answer is above 499 (API.md §2) and the effect is exact afterwards: every
/// message stored once, member counts and unread counts equal to what the rows say, and the room's
/// event log gapless (API.md §5, "Ordering and catch-up").
/// </summary>
public abstract class WritePathRaceTests(ChatApiFactory api) : HttpTestBase(api)
{
    private Task<ChatUser[]> UsersAsync(int count, string name) =>
        WritePath.BoundedAsync(Enumerable.Range(0, count).ToList(), 8, i => Api.CreateUserAsync($"{name}{i}"));

    private static Func<ChatUser, Task<HttpResponseMessage>> Send(string roomId, string text) =>
        u => u.PostAsync($"rooms/{roomId}/messages", new { text });

    [SkippableFact]
    public async Task SendMessage_WhileOthersJoinAndLeave_EverySendCreatedAndCountsExact()
    {
        // Arrange: 4 posting members, 6 users who join and leave the public group over and over.
        var owner = await UserAsync("owner");
        var posters = await UsersAsync(4, "poster");
        var walkers = await UsersAsync(6, "walker");
        var roomId = await owner.CreateRoomIdAsync("group", null, true, posters);
        var outcomes = new ConcurrentQueue<Outcome>();

        // Act
        var posting = Task.WhenAll(posters.Select((poster, p) => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
                outcomes.Enqueue(await Outcome.OfAsync("send", poster, Send(roomId, $"p{p}-{i}")));
        })));
        var walking = walkers.Select(walker => Task.Run(async () =>
        {
            // At least 3 rounds each, and on while the posters post (bounded, should they never finish).
            for (var round = 0; round < 3 || (!posting.IsCompleted && round < 30); round++)
            {
                outcomes.Enqueue(await Outcome.OfAsync("join", walker, u => u.PostAsync($"rooms/{roomId}/join")));
                outcomes.Enqueue(await Outcome.OfAsync("leave", walker, u => u.DeleteAsync($"rooms/{roomId}/users/me")));
            }
        }));
        await Task.WhenAll(walking.Append(posting));

        // Assert
        WritePath.NoServerError(outcomes);
        WritePath.AllAre(outcomes, "send", 201);
        WritePath.AllAre(outcomes, "join", 200);
        WritePath.AllAre(outcomes, "leave", 204);
        var messages = await WritePath.AllMessagesAsync(owner, roomId);
        Assert.Equal(100, messages.Count);
        Assert.Equal(
            outcomes.Where(o => o.Action == "send").Select(o => o.Json.Str("id")).Order(StringComparer.Ordinal),
            messages.Select(m => m.Str("id")).Order(StringComparer.Ordinal));
        var members = await WritePath.AllMembersAsync(owner, roomId);
        var room = await owner.GetJsonAsync($"rooms/{roomId}");
        Assert.Equal(members.Count, room.Prop("memberCount").GetInt32());
        Assert.Equal(
            posters.Append(owner).Select(u => u.Id).Order(StringComparer.Ordinal),
            members.Select(m => m.Str("userId")).Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task SendMessage_WhileOwnerRemovesAndReAddsSenders_NoServerErrorAndUnreadExact()
    {
        // Arrange: a private group; its 4 members post while the owner removes and re-adds each in turn.
        var owner = await UserAsync("owner");
        var members = await UsersAsync(4, "member");
        var roomId = await owner.CreateGroupAsync(members);
        var outcomes = new ConcurrentQueue<Outcome>();

        // Act
        var posting = members.Select((member, m) => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
                outcomes.Enqueue(await Outcome.OfAsync("send", member, Send(roomId, $"m{m}-{i}")));
        }));
        var churning = Task.Run(async () =>
        {
            for (var round = 0; round < 4; round++)
            {
                foreach (var member in members)
                {
                    outcomes.Enqueue(await Outcome.OfAsync("remove", owner, u => u.DeleteAsync($"rooms/{roomId}/users/{member.Id}")));
                    outcomes.Enqueue(await Outcome.OfAsync("add", owner, u => u.PostAsync($"rooms/{roomId}/users", new { userId = member.Id })));
                }
            }
        });
        await Task.WhenAll(posting.Append(churning));

        // Assert: a send is created or refused (the sender was out), and only created ones are stored.
        WritePath.NoServerError(outcomes);
        WritePath.AllAre(outcomes, "send", 201, 403, 404);
        WritePath.AllAre(outcomes, "remove", 204);
        WritePath.AllAre(outcomes, "add", 201);
        var messages = await WritePath.AllMessagesAsync(owner, roomId);
        Assert.Equal(
            outcomes.Where(o => o.Action == "send" && o.Status == 201).Select(o => o.Json.Str("id")).Order(StringComparer.Ordinal),
            messages.Select(m => m.Str("id")).Order(StringComparer.Ordinal));
        foreach (var member in members.Append(owner))
            await WritePath.UnreadIsExactAsync(member, roomId, messages);
        Assert.Equal(5, (await owner.GetJsonAsync($"rooms/{roomId}")).Prop("memberCount").GetInt32());
    }

    [SkippableFact]
    public async Task SendMessage_MentionsEditsDeletesAndReadsRacing_MentionCountsExact()
    {
        // Arrange: 5 members who mention each other, edit their mentions, delete their messages and read.
        var owner = await UserAsync("owner");
        var members = (await UsersAsync(4, "member")).Append(owner).ToArray();
        var roomId = await owner.CreateGroupAsync(members[..4]);
        var outcomes = new ConcurrentQueue<Outcome>();

        // Act
        await Task.WhenAll(members.Select((member, m) => Task.Run(async () =>
        {
            string? last = null;
            for (var i = 0; i < 24; i++)
            {
                var others = members.Where(u => u != member).Select(u => u.Id).ToArray();
                var mentions = others.Where((_, k) => (i + k + m) % 2 == 0).Append(member.Id).ToArray();
                var outcome = (i % 4, last) switch
                {
                    (1, { } id) => await Outcome.OfAsync("edit", member, u => u.PatchAsync($"rooms/{roomId}/messages/{id}", new { text = $"e{m}-{i}", mentions = others.Take(i % 3) })),
                    (2, _) => await Outcome.OfAsync("read", member, u => u.PostAsync($"rooms/{roomId}/read", new { })),
                    (3, { } id) when i % 8 == 3 => await Outcome.OfAsync("delete", member, u => u.DeleteAsync($"rooms/{roomId}/messages/{id}")),
                    _ => await Outcome.OfAsync("send", member, u => u.PostAsync($"rooms/{roomId}/messages", new { text = $"m{m}-{i}", mentions })),
                };
                outcomes.Enqueue(outcome);
                if (outcome is { Action: "send", Status: 201 })
                    last = outcome.Json.Str("id");
                else if (outcome.Action == "delete")
                    last = null;
            }
        })));

        // Assert: each member's mentionCount is what the remaining messages say.
        WritePath.NoServerError(outcomes);
        WritePath.AllAre(outcomes, "send", 201);
        WritePath.AllAre(outcomes, "edit", 200);
        WritePath.AllAre(outcomes, "delete", 204);
        WritePath.AllAre(outcomes, "read", 200);
        var messages = await WritePath.AllMessagesAsync(owner, roomId);
        foreach (var member in members)
        {
            await WritePath.MentionCountIsExactAsync(member, roomId, messages);
            await WritePath.UnreadIsExactAsync(member, roomId, messages);
        }

        Assert.Contains(members, m => messages.Any(x => x.Str("userId") != m.Id && x.Strings("mentions").Contains(m.Id)));
    }

    [SkippableFact]
    public async Task SendMessage_MentioningAMemberTheOwnerRemovesAndReAdds_MentionsOnlyWhileAMemberAndCountExact()
    {
        // Arrange: 3 members post, each send mentioning a fourth whom the owner removes and re-adds meanwhile. The
        // sends of one batch read the memberships they mention once, with their callers': a removal between them
        // must still be seen by the sends after it.
        var owner = await UserAsync("owner");
        var members = await UsersAsync(4, "member");
        var (target, posters) = (members[0], members[1..]);
        var roomId = await owner.CreateGroupAsync(members);
        var outcomes = new ConcurrentQueue<Outcome>();

        // Act
        var posting = posters.Select((poster, p) => Task.Run(async () =>
        {
            for (var i = 0; i < 24; i++)
            {
                var mentions = new[] { target.Id, posters[(p + 1) % posters.Length].Id };
                outcomes.Enqueue(await Outcome.OfAsync("send", poster, u => u.PostAsync($"rooms/{roomId}/messages", new { text = $"p{p}-{i}", mentions })));
            }
        })).ToList();
        var churning = Task.Run(async () =>
        {
            for (var round = 0; round < 3 || (!Task.WhenAll(posting).IsCompleted && round < 20); round++)
            {
                outcomes.Enqueue(await Outcome.OfAsync("remove", owner, u => u.DeleteAsync($"rooms/{roomId}/users/{target.Id}")));
                outcomes.Enqueue(await Outcome.OfAsync("add", owner, u => u.PostAsync($"rooms/{roomId}/users", new { userId = target.Id })));
            }
        });
        await Task.WhenAll(posting.Append(churning));

        // Assert: a send was created, or refused because it mentioned a non-member (400 on mentions).
        WritePath.NoServerError(outcomes);
        WritePath.AllAre(outcomes, "send", 201, 400);
        WritePath.AllAre(outcomes, "remove", 204);
        WritePath.AllAre(outcomes, "add", 201);
        Assert.All(outcomes.Where(o => o is { Action: "send", Status: 400 }), o => Assert.True(o.Json.Prop("errors").TryGetProperty("mentions", out _), o.Json.GetRawText()));

        // In the log's commit order, every created message that mentions the target comes while it is a member.
        var events = await WritePath.AllEventsAsync(owner, roomId);
        WritePath.SeqIsGapless(events);
        var isMember = true;
        foreach (var e in events)
        {
            var payload = e.Prop("payload");
            switch (e.Str("type"))
            {
                case "memberRemoved" when payload.Str("userId") == target.Id:
                    isMember = false;
                    break;
                case "memberAdded" when payload.Str("userId") == target.Id:
                    isMember = true;
                    break;
                case "messageCreated":
                    Assert.True(isMember || !payload.Strings("mentions").Contains(target.Id), $"seq {e.Prop("seq")} mentions a removed member");
                    break;
            }
        }

        var messages = await WritePath.AllMessagesAsync(owner, roomId);
        Assert.Equal(outcomes.Count(o => o is { Action: "send", Status: 201 }), messages.Count);
        foreach (var member in members)
        {
            await WritePath.MentionCountIsExactAsync(member, roomId, messages);
            await WritePath.UnreadIsExactAsync(member, roomId, messages);
        }
    }

    [SkippableFact]
    public async Task DeleteRoom_WhileMembersPostReactAndRead_DeletedForEveryoneWithoutServerError()
    {
        // Arrange
        var owner = await UserAsync("owner");
        var members = await UsersAsync(4, "member");
        var roomId = await owner.CreateGroupAsync(members);
        await using var watcherHub = await HubClient.ConnectAsync(Api, members[0]);
        var outcomes = new ConcurrentQueue<Outcome>();
        var deleted = false;
        var afterDelete = new ConcurrentQueue<Outcome>();
        var operations = 0;

        // Act: members post, react to their last message and mark read, until they meet the deleted room.
        var working = members.Select((member, m) => Task.Run(async () =>
        {
            string? last = null;
            for (var i = 0; i < 300; i++)
            {
                var late = Volatile.Read(ref deleted);
                var outcome = (i % 3, last) switch
                {
                    (1, { } messageId) => await Outcome.OfAsync("react", member, u => u.PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction = "like" })),
                    (2, _) => await Outcome.OfAsync("read", member, u => u.PostAsync($"rooms/{roomId}/read", new { })),
                    _ => await Outcome.OfAsync("send", member, Send(roomId, $"m{m}-{i}")),
                };
                if (outcome is { Action: "send", Status: 201 })
                    last = outcome.Json.Str("id");
                outcomes.Enqueue(outcome);
                Interlocked.Increment(ref operations);
                if (late)
                {
                    afterDelete.Enqueue(outcome);
                    if (afterDelete.Count(o => o.UserId == member.Id) >= 3)
                        return;
                }
            }
        }));
        var deleting = Task.Run(async () =>
        {
            for (var wait = 0; wait < 200 && Volatile.Read(ref operations) < 24; wait++)
                await Task.Delay(10);
            var outcome = await Outcome.OfAsync("delete room", owner, u => u.DeleteAsync($"rooms/{roomId}"));
            Volatile.Write(ref deleted, true);
            return outcome;
        });
        await Task.WhenAll(working.Append(deleting));
        var deletion = await deleting;

        // Assert
        WritePath.NoServerError(outcomes.Append(deletion));
        Assert.True(deletion.Status == 204, deletion.ToString());
        Assert.All(outcomes, o => Assert.True(o.Status is >= 200 and < 500, o.ToString()));
        Assert.All(afterDelete, o => Assert.True(o.Status == 404, $"Started after the DELETE answered: {o}"));
        foreach (var user in members.Append(owner))
        {
            await HttpAssert.ProblemAsync(await user.GetAsync($"rooms/{roomId}"), HttpStatusCode.NotFound);
            await HttpAssert.ProblemAsync(await user.GetAsync($"rooms/{roomId}/messages"), HttpStatusCode.NotFound);
            Assert.DoesNotContain(roomId, HttpAssert.Ids(await user.GetJsonAsync("rooms?limit=100")));
        }

        Assert.Equal(roomId, (await watcherHub.NextAsync(ChatEventNames.RoomDeleted)).Str("roomId"));
    }

    [SkippableFact]
    public async Task React_RacingRemovalsEditsAndSends_EachMessagesReactionCountEqualsItsReactions()
    {
        // Arrange: 3 messages of the owner in a group of 6 reactors.
        var owner = await UserAsync("owner");
        var reactors = await UsersAsync(6, "reactor");
        var roomId = await owner.CreateGroupAsync(reactors);
        var targets = new List<string>();
        for (var t = 0; t < 3; t++)
            targets.Add(await owner.SendIdAsync(roomId, $"target {t}"));
        var outcomes = new ConcurrentQueue<Outcome>();

        // Act: reactors add two reactions and take one back, while the owner edits the targets and sends more.
        var reacting = reactors.Select((reactor, r) => Task.Run(async () =>
        {
            for (var round = 0; round < 6; round++)
            {
                var like = await Outcome.OfAsync("react", reactor, u => u.PostAsync($"rooms/{roomId}/messages/{targets[(r + round) % 3]}/reactions", new { reaction = "like" }));
                outcomes.Enqueue(like);
                outcomes.Enqueue(await Outcome.OfAsync("react", reactor, u => u.PostAsync($"rooms/{roomId}/messages/{targets[(r + round + 1) % 3]}/reactions", new { reaction = "dislike" })));
                if (like.Status is 200 or 201)
                    outcomes.Enqueue(await Outcome.OfAsync("unreact", reactor, u => u.DeleteAsync($"reactions/{like.Json.Str("id")}")));
            }
        }));
        var editing = Task.Run(async () =>
        {
            for (var i = 0; i < 12; i++)
            {
                outcomes.Enqueue(await Outcome.OfAsync("edit", owner, u => u.PatchAsync($"rooms/{roomId}/messages/{targets[i % 3]}", new { text = $"edited {i}" })));
                outcomes.Enqueue(await Outcome.OfAsync("send", owner, Send(roomId, $"more {i}")));
            }
        });
        await Task.WhenAll(reacting.Append(editing));

        // Assert: every answer in range, and each message's stored count is its reactions, which its page shows.
        WritePath.NoServerError(outcomes);
        WritePath.AllAre(outcomes, "react", 200, 201);
        WritePath.AllAre(outcomes, "unreact", 204);
        WritePath.AllAre(outcomes, "edit", 200);
        WritePath.AllAre(outcomes, "send", 201);
        var page = await WritePath.AllMessagesAsync(owner, roomId);
        await using var scope = Api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HostApp.Data.AppDbContext>();
        foreach (var target in targets)
        {
            var id = long.Parse(target, System.Globalization.CultureInfo.InvariantCulture);
            var rows = await db.Set<ChatMessageReaction<string>>().CountAsync(r => r.MessageId == id);
            var stored = await db.Set<ChatMessage<string>>().Where(m => m.Id == id).Select(m => m.ReactionCount).SingleAsync();
            var shown = page.Single(m => m.Str("id") == target).GetProperty("reactions").EnumerateArray().Sum(c => c.GetProperty("count").GetInt32());
            Assert.Equal((rows, rows), (stored, shown));
        }

        Assert.Equal(6 * 3, page.Sum(m => m.GetProperty("reactions").EnumerateArray().Sum(c => c.GetProperty("count").GetInt32())));
    }

    [SkippableFact]
    public async Task SendMessage_RacingAddsLeavesJoinsReadsAndDeletes_UnreadCountExactForEveryMember()
    {
        // Arrange: a public group with 3 senders; 2 users the owner adds and who leave again; 2 who join and leave.
        var owner = await UserAsync("owner");
        var senders = await UsersAsync(3, "sender");
        var added = await UsersAsync(2, "added");
        var joiners = await UsersAsync(2, "joiner");
        var roomId = await owner.CreateRoomIdAsync("group", null, true, senders);
        var outcomes = new ConcurrentQueue<Outcome>();

        // Act: sender 1 marks read now and then, sender 2 deletes some of its own messages.
        var sending = senders.Select((sender, s) => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                var sent = await Outcome.OfAsync("send", sender, Send(roomId, $"s{s}-{i}"));
                outcomes.Enqueue(sent);
                if (s == 1 && i % 4 == 3)
                    outcomes.Enqueue(await Outcome.OfAsync("read", sender, u => u.PostAsync($"rooms/{roomId}/read", new { })));
                if (s == 2 && i % 5 == 4 && sent.Status == 201)
                    outcomes.Enqueue(await Outcome.OfAsync("delete message", sender, u => u.DeleteAsync($"rooms/{roomId}/messages/{sent.Json.Str("id")}")));
            }
        }));
        var adding = added.Select(user => Task.Run(async () =>
        {
            for (var round = 0; round < 4; round++)
            {
                outcomes.Enqueue(await Outcome.OfAsync("add", owner, u => u.PostAsync($"rooms/{roomId}/users", new { userId = user.Id })));
                outcomes.Enqueue(await Outcome.OfAsync("leave", user, u => u.DeleteAsync($"rooms/{roomId}/users/me")));
            }

            outcomes.Enqueue(await Outcome.OfAsync("add", owner, u => u.PostAsync($"rooms/{roomId}/users", new { userId = user.Id })));
        }));
        var joining = joiners.Select(user => Task.Run(async () =>
        {
            for (var round = 0; round < 4; round++)
            {
                outcomes.Enqueue(await Outcome.OfAsync("join", user, u => u.PostAsync($"rooms/{roomId}/join")));
                outcomes.Enqueue(await Outcome.OfAsync("leave", user, u => u.DeleteAsync($"rooms/{roomId}/users/me")));
            }

            outcomes.Enqueue(await Outcome.OfAsync("join", user, u => u.PostAsync($"rooms/{roomId}/join")));
        }));
        await Task.WhenAll(sending.Concat(adding).Concat(joining));

        // Assert
        WritePath.NoServerError(outcomes);
        WritePath.AllAre(outcomes, "send", 201);
        WritePath.AllAre(outcomes, "read", 200);
        WritePath.AllAre(outcomes, "delete message", 204);
        WritePath.AllAre(outcomes, "add", 201);
        WritePath.AllAre(outcomes, "join", 200);
        WritePath.AllAre(outcomes, "leave", 204);
        var messages = await WritePath.AllMessagesAsync(owner, roomId);
        Assert.Equal(60 - outcomes.Count(o => o.Action == "delete message"), messages.Count);
        var memberIds = (await WritePath.AllMembersAsync(owner, roomId)).Select(m => m.Str("userId")).ToList();
        var everyone = senders.Concat(added).Concat(joiners).Append(owner).ToList();
        Assert.Equal(everyone.Select(u => u.Id).Order(StringComparer.Ordinal), memberIds.Order(StringComparer.Ordinal));
        foreach (var member in everyone)
            await WritePath.UnreadIsExactAsync(member, roomId, messages);
        Assert.Equal(everyone.Count, (await owner.GetJsonAsync($"rooms/{roomId}")).Prop("memberCount").GetInt32());
    }

    [SkippableFact]
    public async Task SendMessage_64SendersTimes50_AllStoredAndEventSeqGapless()
    {
        // Arrange: 64 members (the owner among them) of one room; its creation records 64 memberAdded events.
        const int Senders = 64;
        const int PerSender = 50;
        var budget = TimeSpan.FromSeconds(90);
        var senders = await UsersAsync(Senders, "sender");
        var roomId = await senders[0].CreateGroupAsync(senders[1..]);
        var outcomes = new ConcurrentQueue<Outcome>();

        // Act: 64 clients at once, each sending its 50 messages one after another (within a time budget,
        // so that a write path that serializes a busy room fails here in bounded time rather than hanging CI).
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(senders.Select((sender, s) => Task.Run(async () =>
        {
            for (var i = 0; i < PerSender && clock.Elapsed < budget; i++)
                outcomes.Enqueue(await Outcome.OfAsync("send", sender, Send(roomId, $"s{s}-{i}")));
        })));

        // Assert: 3,200 messages, and events 1..N with N = lastSeq, of which 3,200 messageCreated, one per message.
        WritePath.NoServerError(outcomes);
        Assert.True(outcomes.Count == Senders * PerSender, $"Only {outcomes.Count} of {Senders * PerSender} sends were answered within {budget.TotalSeconds} s.");
        WritePath.AllAre(outcomes, "send", 201);
        var reader = senders[^1];
        var messages = await WritePath.AllMessagesAsync(reader, roomId);
        Assert.Equal(Senders * PerSender, messages.Count);
        var events = await WritePath.AllEventsAsync(reader, roomId);
        WritePath.SeqIsGapless(events);
        Assert.Equal(events.Count, (await reader.GetJsonAsync($"rooms/{roomId}")).Prop("lastSeq").GetInt64());
        var created = events.Where(e => e.Str("type") == ChatEventNames.MessageCreated).ToList();
        Assert.Equal(Senders * PerSender, created.Count);
        Assert.Equal(Senders, events.Count(e => e.Str("type") == ChatEventNames.MemberAdded));
        Assert.Equal(Senders * PerSender + Senders, events.Count);
        Assert.Equal(
            messages.Select(m => m.Str("id")).Order(StringComparer.Ordinal),
            created.Select(e => e.Prop("payload").Str("id")).Order(StringComparer.Ordinal));
        Assert.All(events, e => Assert.Equal(e.Prop("seq").GetInt64(), e.Prop("payload").Prop("seq").GetInt64()));

        // The history (newest first) is the events' order reversed: sends saved together keep their order.
        Assert.Equal(
            created.Select(e => e.Prop("payload").Str("id")),
            messages.Select(m => m.Str("id")).Reverse());
    }
}

public sealed class SqliteWritePathRaceTests(SqliteUnthrottledChatApi api) : WritePathRaceTests(api), IClassFixture<SqliteUnthrottledChatApi>;

public sealed class PostgresWritePathRaceTests(PostgresUnthrottledChatApi api) : WritePathRaceTests(api), IClassFixture<PostgresUnthrottledChatApi>;

using System.Net;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http;

/// <summary>The use cases and flows of API.md §7, over HTTP as a client would run them.</summary>
public abstract class UserStoryTests(ChatApiFactory api) : HttpTestBase(api)
{
    [SkippableFact]
    public async Task PrivateMessages_TwoUsers_BothWriteAndSeeTheRoom()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();

        var roomId = await alice.CreateRoomIdAsync("private_messages", members: bob);
        await alice.SendAsync(roomId, "hi bob");
        await bob.SendAsync(roomId, "hi alice");

        var messages = (await bob.GetJsonAsync($"rooms/{roomId}/messages")).Items();
        Assert.Equal(["hi alice", "hi bob"], messages.Select(m => m.Str("text")));
        Assert.Equal(roomId, Assert.Single((await bob.GetJsonAsync("rooms")).Items()).Str("id"));
    }

    [SkippableFact]
    public async Task PrivateMessages_EitherMemberAddsSomeone_Returns403ForBoth()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var carol = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("private_messages", members: bob);

        await HttpAssert.ProblemAsync(await alice.PostAsync($"rooms/{roomId}/users", new { userId = carol.Id }), HttpStatusCode.Forbidden);
        await HttpAssert.ProblemAsync(await bob.PostAsync($"rooms/{roomId}/users", new { userId = carol.Id }), HttpStatusCode.Forbidden);
        Assert.Equal(2, (await alice.GetJsonAsync($"rooms/{roomId}/users")).Items().Count);
    }

    [SkippableFact]
    public async Task PrivateMessages_OtherMemberDeletesRoom_Returns204ForBoth()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("private_messages", members: bob);

        await HttpAssert.StatusAsync(await bob.DeleteAsync($"rooms/{roomId}"), HttpStatusCode.NoContent);

        await HttpAssert.ProblemAsync(await alice.GetAsync($"rooms/{roomId}"), HttpStatusCode.NotFound);
        Assert.Empty((await alice.GetJsonAsync("rooms")).Items());
    }

    [SkippableFact]
    public async Task PrivateMessages_CreatorDeletesRoom_Returns204()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("private_messages", members: bob);

        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}"), HttpStatusCode.NoContent);

        await HttpAssert.ProblemAsync(await bob.GetAsync($"rooms/{roomId}"), HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task Group_EveryMember_WritesAndAddsOthers()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var carol = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        await bob.AddMemberAsync(roomId, carol);
        await carol.SendAsync(roomId, "thanks for adding me");

        Assert.Equal("thanks for adding me", (await alice.GetJsonAsync($"rooms/{roomId}")).Prop("lastMessage").Str("text"));
    }

    [SkippableFact]
    public async Task Group_OnlyOwner_DeletesTheRoom()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);

        await HttpAssert.ProblemAsync(await bob.DeleteAsync($"rooms/{roomId}"), HttpStatusCode.Forbidden);
        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}"), HttpStatusCode.NoContent);
    }

    [SkippableFact]
    public async Task Channel_OnlyMembersGrantedCanCreateMessages_Write()
    {
        var alice = await UserAsync();
        var editor = await UserAsync();
        var member = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("channel", members: member);
        await alice.AddMemberAsync(roomId, editor, ["can_create_messages"]);

        await alice.SendAsync(roomId, "from the owner");
        await editor.SendAsync(roomId, "from the editor");

        await HttpAssert.ProblemAsync(await member.PostAsync($"rooms/{roomId}/messages", new { text = "me too" }), HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task Channel_EveryMember_AddsOtherUsers()
    {
        var alice = await UserAsync();
        var member = await UserAsync();
        var newcomer = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("channel", members: member);

        var added = await member.AddMemberAsync(roomId, newcomer);

        Assert.Equal(member.Id, added.Str("createdBy"));
    }

    [SkippableFact]
    public async Task Channel_OnlyOwner_DeletesTheRoom()
    {
        var alice = await UserAsync();
        var member = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("channel", members: member);

        await HttpAssert.ProblemAsync(await member.DeleteAsync($"rooms/{roomId}"), HttpStatusCode.Forbidden);
        await HttpAssert.StatusAsync(await alice.DeleteAsync($"rooms/{roomId}"), HttpStatusCode.NoContent);
    }

    [SkippableFact]
    public async Task SendPicture_UploadThenSend_OtherMemberDownloadsInOrder()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var roomId = await alice.CreateGroupAsync(bob);
        var first = HttpFiles.Png(500);
        var second = HttpFiles.Jpeg(700);
        var firstId = (await alice.UploadOkAsync(first, "image/png", "first.png")).Str("id");
        var secondId = (await alice.UploadOkAsync(second, "image/jpeg", "second.jpg")).Str("id");

        var message = await HttpAssert.JsonAsync(
            await alice.PostAsync($"rooms/{roomId}/messages", new { mediaIds = new[] { secondId, firstId } }), HttpStatusCode.Created);

        var received = (await bob.GetJsonAsync($"rooms/{roomId}/messages")).Items().Single(m => m.Str("id") == message.Str("id"));
        var media = received.Prop("media").EnumerateArray().ToList();
        Assert.Equal([secondId, firstId], media.Select(m => m.Str("id")));
        Assert.Equal(second, await bob.Client.GetByteArrayAsync(media[0].Str("url")));
        Assert.Equal(first, await bob.Client.GetByteArrayAsync(media[1].Str("url")));
    }

    [SkippableFact]
    public async Task ChatOfThree_CreateWithOthersAndFirstMessage_OthersSeeOneUnread()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var carol = await UserAsync();

        var roomId = await alice.CreateRoomIdAsync("group", "Three of us", members: [bob, carol]);
        await alice.SendAsync(roomId, "Alice created a chat");

        foreach (var other in new[] { bob, carol })
        {
            var room = Assert.Single((await other.GetJsonAsync("rooms")).Items());
            Assert.Equal(roomId, room.Str("id"));
            Assert.Equal(3, room.Prop("memberCount").GetInt32());
            Assert.Equal(1, room.Prop("membership").Prop("unreadCount").GetInt32());
            Assert.Equal("Alice created a chat", room.Prop("lastMessage").Str("text"));
        }
    }

    [SkippableFact]
    public async Task ChatOfThree_AddOneByOne_OthersSeeOneUnread()
    {
        var alice = await UserAsync();
        var bob = await UserAsync();
        var carol = await UserAsync();
        var roomId = await alice.CreateRoomIdAsync("group", "Three of us");

        await alice.AddMemberAsync(roomId, bob);
        await alice.AddMemberAsync(roomId, carol);
        await alice.SendAsync(roomId, "Alice created a chat");

        Assert.Equal(1, Assert.Single((await bob.GetJsonAsync("rooms")).Items()).Prop("membership").Prop("unreadCount").GetInt32());
        Assert.Equal(1, Assert.Single((await carol.GetJsonAsync("rooms")).Items()).Prop("membership").Prop("unreadCount").GetInt32());
    }

    [SkippableFact]
    public async Task NewsChannel_EditorWithAddAndCreate_PostsNews()
    {
        var owner = await UserAsync();
        var editor = await UserAsync();
        var roomId = await owner.CreateRoomIdAsync("channel", "News");

        var member = await owner.AddMemberAsync(roomId, editor, ["can_add_users", "can_create_messages"]);
        var news = await editor.SendAsync(roomId, "Breaking news");

        Assert.Equal(["can_add_users", "can_create_messages"], member.Strings("permissions").Order());
        Assert.Equal(news.Str("id"), (await owner.GetJsonAsync($"rooms/{roomId}")).Prop("lastMessage").Str("id"));
    }

    [SkippableFact]
    public async Task NewsChannel_EditorAddsReader_ReaderReadsAndReactsButCannotPost()
    {
        var owner = await UserAsync();
        var editor = await UserAsync();
        var reader = await UserAsync();
        var roomId = await owner.CreateRoomIdAsync("channel", "News");
        await owner.AddMemberAsync(roomId, editor, ["can_add_users", "can_create_messages"]);
        var newsId = await editor.SendIdAsync(roomId, "Breaking news");

        await editor.AddMemberAsync(roomId, reader, []);

        Assert.Equal("Breaking news", Assert.Single((await reader.GetJsonAsync($"rooms/{roomId}/messages")).Items()).Str("text"));
        await reader.ReactAsync(roomId, newsId, "like");
        await HttpAssert.ProblemAsync(await reader.PostAsync($"rooms/{roomId}/messages", new { text = "comment" }), HttpStatusCode.Forbidden);
        await HttpAssert.ProblemAsync(await reader.PostAsync($"rooms/{roomId}/users", new { userId = owner.Id }), HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task NewsChannel_EditorGrantsPermissionItLacks_Returns403()
    {
        var owner = await UserAsync();
        var editor = await UserAsync();
        var reader = await UserAsync();
        var roomId = await owner.CreateRoomIdAsync("channel", "News");
        await owner.AddMemberAsync(roomId, editor, ["can_add_users", "can_create_messages"]);

        var response = await editor.PostAsync($"rooms/{roomId}/users", new { userId = reader.Id, permissions = new[] { "can_delete_messages" } });

        await HttpAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }
}

public sealed class SqliteUserStoryTests(SqliteChatApi api) : UserStoryTests(api), IClassFixture<SqliteChatApi>;

public sealed class PostgresUserStoryTests(PostgresChatApi api) : UserStoryTests(api), IClassFixture<PostgresChatApi>;

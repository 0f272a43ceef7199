using DfChat.Entities;
using DfChat.Models;
using DfChat.Options;
using DfChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Tests.Services;

public abstract class MessageTests(ServiceDatabase database) : ServiceTestBase(database)
{
    protected override void Configure(DfChatOptions options) => options.MaxMessageLength = 10;

    [SkippableFact]
    public async Task SendAsync_Text_CreatedWithAuthorAndTime()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        // Act
        var message = (await Alice.SendAsync(room.Id, "hello")).Created();

        // Assert
        Assert.Equal("hello", message.Text);
        Assert.Equal(Alice.Id, message.UserId);
        Assert.Equal(room.Id, message.RoomId);
        Assert.Equal(Host.Now, message.CreatedAt);
        Assert.Null(message.EditedAt);
        Assert.Empty(message.Media);
        Assert.Empty(message.Reactions);
    }

    [SkippableFact]
    public async Task SendAsync_NeitherTextNorMedia_InvalidText()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        (await Alice.SendAsync(room.Id, new SendMessageRequest())).Fails(ChatErrorKind.Invalid, "text");
    }

    [SkippableFact]
    public async Task SendAsync_WhitespaceText_InvalidText()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        (await Alice.SendAsync(room.Id, "   ")).Fails(ChatErrorKind.Invalid, "text");
    }

    [SkippableFact]
    public async Task SendAsync_TextAtMaxLength_Accepted()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        (await Alice.SendAsync(room.Id, new string('a', 10))).Created();
    }

    [SkippableFact]
    public async Task SendAsync_TextOverMaxLength_InvalidText()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        (await Alice.SendAsync(room.Id, new string('a', 11))).Fails(ChatErrorKind.Invalid, "text");
    }

    [SkippableFact]
    public async Task SendAsync_LengthCountsUtf16Units_SurrogatePairsCountTwice()
    {
        // Arrange: five emoji are ten UTF-16 code units, six are twelve.
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        // Act
        var five = await Alice.SendAsync(room.Id, string.Concat(Enumerable.Repeat("😀", 5)));
        var six = await Alice.SendAsync(room.Id, string.Concat(Enumerable.Repeat("😀", 6)));

        // Assert
        five.Created();
        six.Fails(ChatErrorKind.Invalid, "text");
    }

    [SkippableFact]
    public async Task SendAsync_MediaOnly_Created()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        var media = (await Alice.UploadAsync(TestFiles.Png())).Created();

        // Act
        var message = (await Alice.SendAsync(room.Id, new SendMessageRequest { MediaIds = [media.Id] })).Created();

        // Assert
        Assert.Null(message.Text);
        Assert.Equal(media.Id, Assert.Single(message.Media).Id);
    }

    [SkippableFact]
    public async Task SendAsync_SeveralMedia_KeepsOrderGiven()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        var a = (await Alice.UploadAsync(TestFiles.Png(), fileName: "a.png")).Created();
        var b = (await Alice.UploadAsync(TestFiles.Jpeg(), "image/jpeg", "b.jpg")).Created();
        var c = (await Alice.UploadAsync(TestFiles.Png(), fileName: "c.png")).Created();

        // Act
        var message = (await Alice.SendAsync(room.Id, new SendMessageRequest { MediaIds = [c.Id, a.Id, b.Id] })).Created();

        // Assert
        Assert.Equal([c.Id, a.Id, b.Id], message.Media.Select(m => m.Id));
        var read = (await Alice.GetMessageAsync(room.Id, message.Id)).Ok();
        Assert.Equal([c.Id, a.Id, b.Id], read.Media.Select(m => m.Id));
        Assert.Equal([c.Id, a.Id, b.Id], Assert.Single((await Alice.ListMessagesAsync(room.Id)).Ok().Items).Media.Select(m => m.Id));
    }

    [SkippableFact]
    public async Task SendAsync_MediaOfSomeoneElse_InvalidMediaIds()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var media = (await Bob.UploadAsync(TestFiles.Png())).Created();

        // Act
        var result = await Alice.SendAsync(room.Id, new SendMessageRequest { MediaIds = [media.Id] });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "mediaIds");
    }

    [SkippableFact]
    public async Task SendAsync_MediaAlreadyAttached_InvalidMediaIds()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        var media = (await Alice.UploadAsync(TestFiles.Png())).Created();
        (await Alice.SendAsync(room.Id, new SendMessageRequest { MediaIds = [media.Id] })).Created();

        // Act
        var result = await Alice.SendAsync(room.Id, new SendMessageRequest { MediaIds = [media.Id] });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "mediaIds");
    }

    [SkippableTheory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("424242")]
    public async Task SendAsync_UnknownMediaId_InvalidMediaIds(string mediaId)
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "x", MediaIds = [mediaId] })).Fails(ChatErrorKind.Invalid, "mediaIds");
    }

    [SkippableFact]
    public async Task SendAsync_SameMediaTwice_InvalidMediaIds()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        var media = (await Alice.UploadAsync(TestFiles.Png())).Created();

        (await Alice.SendAsync(room.Id, new SendMessageRequest { MediaIds = [media.Id, media.Id] })).Fails(ChatErrorKind.Invalid, "mediaIds");
    }

    [SkippableFact]
    public async Task SendAsync_ReplyToMessageOfSameRoom_Kept()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var question = (await Alice.SendAsync(room.Id, "why?")).Created();

        // Act
        var answer = (await Bob.SendAsync(room.Id, new SendMessageRequest { Text = "because", ReplyToId = question.Id })).Created();

        // Assert
        Assert.Equal(question.Id, answer.ReplyToId);
    }

    [SkippableFact]
    public async Task SendAsync_ReplyToMessageOfAnotherRoom_InvalidReplyToId()
    {
        // Arrange
        var other = (await Alice.CreateGroupAsync("Other")).Created();
        var elsewhere = (await Alice.SendAsync(other.Id, "there")).Created();
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        // Act
        var result = await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "here", ReplyToId = elsewhere.Id });

        // Assert
        result.Fails(ChatErrorKind.Invalid, "replyToId");
    }

    [SkippableFact]
    public async Task SendAsync_RepeatedClientMessageId_ReturnsFirstMessage()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        var first = (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "once", ClientMessageId = "c-1" })).Created();

        // Act
        var repeat = (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "once", ClientMessageId = "c-1" })).Existing();

        // Assert
        Assert.Equal(first.Id, repeat.Id);
        Assert.Single((await Alice.ListMessagesAsync(room.Id)).Ok().Items);
    }

    [SkippableFact]
    public async Task SendAsync_SameClientMessageIdFromAnotherUser_NewMessage()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var first = (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "a", ClientMessageId = "c-1" })).Created();

        // Act
        var other = (await Bob.SendAsync(room.Id, new SendMessageRequest { Text = "b", ClientMessageId = "c-1" })).Created();

        // Assert
        Assert.NotEqual(first.Id, other.Id);
    }

    [SkippableFact]
    public async Task SendAsync_SameClientMessageIdInAnotherRoom_NewMessage()
    {
        var one = (await Alice.CreateGroupAsync("One")).Created();
        var two = (await Alice.CreateGroupAsync("Two")).Created();
        (await Alice.SendAsync(one.Id, new SendMessageRequest { Text = "a", ClientMessageId = "c-1" })).Created();

        (await Alice.SendAsync(two.Id, new SendMessageRequest { Text = "a", ClientMessageId = "c-1" })).Created();
    }

    [SkippableFact]
    public async Task SendAsync_ClientMessageIdRepeatsRace_ExactlyOneCreated()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        var request = new SendMessageRequest { Text = "once", ClientMessageId = "race" };

        // Act
        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Alice.SendAsync(room.Id, request)));

        // Assert
        Assert.All(results, r => r.Ok());
        Assert.Single(results, r => r.Created);
        Assert.Single(results.Select(r => r.Value!.Id).Distinct());
    }

    [SkippableFact]
    public async Task SendAsync_ClientMessageIdOf100Chars_Accepted()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "x", ClientMessageId = new string('c', 100) })).Created();
    }

    [SkippableTheory]
    [InlineData(101)]
    [InlineData(0)]
    public async Task SendAsync_ClientMessageIdOutOfRange_InvalidClientMessageId(int length)
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();

        (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "x", ClientMessageId = new string('c', length) }))
            .Fails(ChatErrorKind.Invalid, "clientMessageId");
    }

    [SkippableFact]
    public async Task SendAsync_ChannelMemberWithDefaults_Forbidden()
    {
        var room = (await Alice.CreateChannelAsync("News", false, Bob)).Created();

        (await Bob.SendAsync(room.Id, "news?")).Fails(ChatErrorKind.Forbidden);
    }

    [SkippableFact]
    public async Task SendAsync_ChannelEditorGrantedCreateMessages_Created()
    {
        var room = (await Alice.CreateChannelAsync("News")).Created();
        (await Alice.AddMemberAsync(room.Id, Bob.Id, "can_create_messages")).Created();

        (await Bob.SendAsync(room.Id, "news!")).Created();
    }

    [SkippableFact]
    public async Task SendAsync_GroupMember_Created()
    {
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();

        (await Bob.SendAsync(room.Id, "hi all")).Created();
    }

    [SkippableFact]
    public async Task EditAsync_OwnMessageWithEditOwn_TextChangedAndEditedAtSet()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var message = (await Bob.SendAsync(room.Id, "helo")).Created();

        // Act
        var edited = (await Bob.EditMessageAsync(room.Id, message.Id, "hello")).Ok();

        // Assert
        Assert.Equal("hello", edited.Text);
        Assert.Equal(Host.Now, edited.EditedAt);
        Assert.Equal(message.CreatedAt, edited.CreatedAt);
    }

    [SkippableFact]
    public async Task EditAsync_OwnMessageWithoutEditOwn_Forbidden()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        (await Alice.AddMemberAsync(room.Id, Bob.Id, "can_create_messages")).Created();
        var message = (await Bob.SendAsync(room.Id, "helo")).Created();

        // Act
        var result = await Bob.EditMessageAsync(room.Id, message.Id, "hello");

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
    }

    [SkippableFact]
    public async Task EditAsync_OthersMessageWithOnlyEditOwn_Forbidden()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var message = (await Alice.SendAsync(room.Id, "mine")).Created();

        // Act
        var result = await Bob.EditMessageAsync(room.Id, message.Id, "yours");

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
        Assert.Equal("mine", (await Alice.GetMessageAsync(room.Id, message.Id)).Ok().Text);
    }

    [SkippableFact]
    public async Task EditAsync_OthersMessageWithEditMessages_Changed()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var message = (await Bob.SendAsync(room.Id, "oops")).Created();

        // Act
        var edited = await Alice.EditMessageAsync(room.Id, message.Id, "moderated");

        // Assert
        Assert.Equal("moderated", edited.Ok().Text);
        Assert.NotNull(edited.Ok().EditedAt);
        var read = (await Bob.GetMessageAsync(room.Id, message.Id)).Ok();
        Assert.Equal("moderated", read.Text);
        Assert.Equal(edited.Ok().EditedAt, read.EditedAt);
    }

    [SkippableFact]
    public async Task EditAsync_TextOverMaxLength_InvalidText()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        var message = (await Alice.SendAsync(room.Id, "short")).Created();

        (await Alice.EditMessageAsync(room.Id, message.Id, new string('a', 11))).Fails(ChatErrorKind.Invalid, "text");
    }

    [SkippableFact]
    public async Task EditAsync_EmptyTextWithoutMedia_InvalidText()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        var message = (await Alice.SendAsync(room.Id, "short")).Created();

        (await Alice.EditMessageAsync(room.Id, message.Id, "")).Fails(ChatErrorKind.Invalid, "text");
    }

    [SkippableFact]
    public async Task EditAsync_MessageOfAnotherRoom_NotFound()
    {
        var one = (await Alice.CreateGroupAsync("One")).Created();
        var two = (await Alice.CreateGroupAsync("Two")).Created();
        var message = (await Alice.SendAsync(one.Id, "here")).Created();

        (await Alice.EditMessageAsync(two.Id, message.Id, "there")).Fails(ChatErrorKind.NotFound);
    }

    [SkippableFact]
    public async Task DeleteAsync_OwnMessageWithDeleteOwn_GoneFromGetAndList()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var message = (await Bob.SendAsync(room.Id, "regret")).Created();

        // Act
        (await Bob.DeleteMessageAsync(room.Id, message.Id)).Ok();

        // Assert
        (await Bob.GetMessageAsync(room.Id, message.Id)).Fails(ChatErrorKind.NotFound);
        Assert.Empty((await Bob.ListMessagesAsync(room.Id)).Ok().Items);
    }

    [SkippableFact]
    public async Task DeleteAsync_OthersMessageWithOnlyDeleteOwn_Forbidden()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var message = (await Alice.SendAsync(room.Id, "keep")).Created();

        // Act
        var result = await Bob.DeleteMessageAsync(room.Id, message.Id);

        // Assert
        result.Fails(ChatErrorKind.Forbidden);
        (await Alice.GetMessageAsync(room.Id, message.Id)).Ok();
    }

    [SkippableFact]
    public async Task DeleteAsync_OwnMessageWithoutDeleteOwn_Forbidden()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        (await Alice.AddMemberAsync(room.Id, Bob.Id, "can_create_messages")).Created();
        var message = (await Bob.SendAsync(room.Id, "stuck")).Created();

        (await Bob.DeleteMessageAsync(room.Id, message.Id)).Fails(ChatErrorKind.Forbidden);
    }

    [SkippableFact]
    public async Task DeleteAsync_OthersMessageWithDeleteMessages_Deleted()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        (await Alice.AddMemberAsync(room.Id, Bob.Id, "can_delete_messages")).Created();
        var message = (await Alice.SendAsync(room.Id, "moderate")).Created();

        (await Bob.DeleteMessageAsync(room.Id, message.Id)).Ok();
    }

    [SkippableFact]
    public async Task DeleteAsync_Message_RemovesReactionsAndAttachedMedia()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group", Bob)).Created();
        var media = (await Alice.UploadAsync(TestFiles.Png())).Created();
        var message = (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "pic", MediaIds = [media.Id] })).Created();
        var reaction = (await Bob.ReactAsync(room.Id, message.Id, "like")).Created();

        // Act
        (await Alice.DeleteMessageAsync(room.Id, message.Id)).Ok();

        // Assert
        (await Bob.GetReactionAsync(reaction.Id)).Fails(ChatErrorKind.NotFound);
        (await Alice.GetMediaAsync(media.Id)).Fails(ChatErrorKind.NotFound);
        await Host.OutboxIdleAsync();
        Assert.Empty(Host.MediaStore.Keys);
        await Host.DbAsync(async db =>
        {
            Assert.Equal(0, await db.Set<ChatMessageReaction<string>>().CountAsync());
            Assert.Equal(0, await db.Set<ChatMessageMedia>().CountAsync());
            Assert.Equal(0, await db.Set<ChatMedia<string>>().CountAsync());
        });
    }

    [SkippableFact]
    public async Task DeleteAsync_LastMessage_RoomShowsPreviousAsLast()
    {
        // Arrange
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        var first = (await Alice.SendAsync(room.Id, "first")).Created();
        var second = (await Alice.SendAsync(room.Id, "second")).Created();

        // Act
        (await Alice.DeleteMessageAsync(room.Id, second.Id)).Ok();

        // Assert
        var seen = (await Alice.GetRoomAsync(room.Id)).Ok();
        Assert.Equal(first.Id, seen.LastMessage!.Id);
        Assert.Equal(first.CreatedAt, seen.LastActivityAt);
    }

    [SkippableFact]
    public async Task DeleteAsync_RepliedToMessage_ReplyKeptWithoutReference()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        var question = (await Alice.SendAsync(room.Id, "q")).Created();
        var answer = (await Alice.SendAsync(room.Id, new SendMessageRequest { Text = "a", ReplyToId = question.Id })).Created();

        (await Alice.DeleteMessageAsync(room.Id, question.Id)).Ok();

        Assert.Null((await Alice.GetMessageAsync(room.Id, answer.Id)).Ok().ReplyToId);
    }

    [SkippableFact]
    public async Task SendAsync_Message_BecomesRoomLastMessage()
    {
        var room = (await Alice.CreateGroupAsync("Group")).Created();
        var message = (await Alice.SendAsync(room.Id, "latest")).Created();

        var seen = (await Alice.GetRoomAsync(room.Id)).Ok();

        Assert.Equal(message.Id, seen.LastMessage!.Id);
        Assert.Equal(message.CreatedAt, seen.LastActivityAt);
    }

    [SkippableFact]
    public async Task GetAsync_MessageOfAnotherRoom_NotFound()
    {
        var one = (await Alice.CreateGroupAsync("One")).Created();
        var two = (await Alice.CreateGroupAsync("Two")).Created();
        var message = (await Alice.SendAsync(one.Id, "here")).Created();

        (await Alice.GetMessageAsync(two.Id, message.Id)).Fails(ChatErrorKind.NotFound);
    }
}

public sealed class SqliteMessageTests(SqliteServiceDatabase database) : MessageTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresMessageTests(PostgresServiceDatabase database) : MessageTests(database), IClassFixture<PostgresServiceDatabase>;

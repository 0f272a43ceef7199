using DfChat.Models;
using DfChat.Options;
using DfChat.Tests.Infrastructure;

namespace DfChat.Tests.Services;

/// <summary>The configured reaction policy, through the service.</summary>
public abstract class ReactionPolicyTests(ServiceDatabase database) : DatabaseTestBase(database)
{
    private async Task<ChatResult<ReactionModel>> ReactWithAsync(Action<ReactionOptions> policy, string? value)
    {
        await using var host = ChatTestHost.Create(Database, o => policy(o.Reactions));
        var alice = await host.CreateUserAsync("Alice");
        var room = (await alice.CreateGroupAsync("Group")).Created();
        var message = (await alice.SendAsync(room.Id, "hi")).Created();
        return await alice.ReactAsync(room.Id, message.Id, value);
    }

    [SkippableTheory]
    [InlineData("like")]
    [InlineData("dislike")]
    public async Task AddAsync_DefaultPolicy_AcceptsLikeAndDislike(string value)
    {
        (await ReactWithAsync(_ => { }, value)).Created();
    }

    [SkippableFact]
    public async Task AddAsync_ConfiguredList_ReplacesDefault()
    {
        (await ReactWithAsync(r => r.Allowed = ["heart", "laugh"], "like")).Fails(ChatErrorKind.Invalid, "reaction");
    }

    [SkippableFact]
    public async Task AddAsync_ConfiguredList_AcceptsItsValues()
    {
        (await ReactWithAsync(r => r.Allowed = ["heart", "laugh"], "heart")).Created();
    }

    [SkippableTheory]
    [InlineData("👍")]
    [InlineData("❤️")]
    [InlineData("👍🏽")]
    [InlineData("👨‍👩‍👧‍👦")]
    [InlineData("🇫🇷")]
    [InlineData("🏳️‍🌈")]
    [InlineData("ℹ️")]
    [InlineData("‼️")]
    [InlineData("👨‍👩‍👧")]
    [InlineData("1️⃣")]
    public async Task AddAsync_AnyEmojiSingleEmoji_Accepted(string emoji)
    {
        (await ReactWithAsync(r => r.AllowAnyEmoji = true, emoji)).Created();
    }

    [SkippableTheory]
    [InlineData("👍👍")]
    [InlineData("👍🏽❤️")]
    [InlineData("🇫🇷🇩🇪")]
    [InlineData("a")]
    [InlineData("ok")]
    [InlineData("1")]
    [InlineData(" ")]
    [InlineData("©")]
    [InlineData("°")]
    [InlineData("™")]
    [InlineData("─")]
    [InlineData("╬")]
    public async Task AddAsync_AnyEmojiNotSingleEmoji_InvalidReaction(string value)
    {
        (await ReactWithAsync(r => { r.Allowed = []; r.AllowAnyEmoji = true; }, value)).Fails(ChatErrorKind.Invalid, "reaction");
    }

    [SkippableFact]
    public async Task AddAsync_AnyEmojiWithDefaultList_StillAcceptsLike()
    {
        (await ReactWithAsync(r => r.AllowAnyEmoji = true, "like")).Created();
    }

    [SkippableFact]
    public async Task AddAsync_AnyEmojiOff_RejectsEmoji()
    {
        (await ReactWithAsync(r => r.AllowAnyEmoji = false, "👍")).Fails(ChatErrorKind.Invalid, "reaction");
    }

    [SkippableFact]
    public async Task AddAsync_CustomTextWithinMaxLength_Accepted()
    {
        (await ReactWithAsync(r => { r.AllowCustomText = true; r.MaxCustomTextLength = 5; }, "great")).Created();
    }

    [SkippableFact]
    public async Task AddAsync_CustomTextOverMaxLength_InvalidReaction()
    {
        (await ReactWithAsync(r => { r.AllowCustomText = true; r.MaxCustomTextLength = 5; }, "great!")).Fails(ChatErrorKind.Invalid, "reaction");
    }

    [SkippableFact]
    public async Task AddAsync_CustomTextDefaultMax_Accepts32Rejects33()
    {
        (await ReactWithAsync(r => r.AllowCustomText = true, new string('x', 32))).Created();
        (await ReactWithAsync(r => r.AllowCustomText = true, new string('x', 33))).Fails(ChatErrorKind.Invalid, "reaction");
    }

    [SkippableFact]
    public async Task AddAsync_CustomTextOff_RejectsText()
    {
        (await ReactWithAsync(_ => { }, "great")).Fails(ChatErrorKind.Invalid, "reaction");
    }

    [SkippableFact]
    public async Task AddAsync_CustomTextWhitespaceOnly_InvalidReaction()
    {
        (await ReactWithAsync(r => r.AllowCustomText = true, "   ")).Fails(ChatErrorKind.Invalid, "reaction");
    }
}

public sealed class SqliteReactionPolicyTests(SqliteServiceDatabase database) : ReactionPolicyTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresReactionPolicyTests(PostgresServiceDatabase database) : ReactionPolicyTests(database), IClassFixture<PostgresServiceDatabase>;

// API.md §7's user stories, run against a sample host through the C# client that Kiota generated from the
// host's /openapi/v1.json (generated/, made by check.sh). It uses the generated types as a stranger would:
// one RoomType and one Permission enum wherever they appear, the problem details as exceptions whose
// Message is the problem's detail, validation problems as a kind of problem details, and the catch-up
// events told apart by their type. Any failed expectation ends it with exit code 1.
// Usage: dotnet run -- http://127.0.0.1:5080
using DfChat.Client;
using DfChat.Client.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

var baseUrl = args.Length > 0 ? args[0].TrimEnd('/') : "http://localhost:5080";
var run = Guid.NewGuid().ToString("N")[..8];
const string Password = "Client-check-1";
var checks = 0;

void Expect(bool condition, string what)
{
    if (!condition)
        throw new InvalidOperationException($"Expected: {what}");
    checks++;
    Console.WriteLine($"ok {checks} - {what}");
}

DfChatClient Connect(string? accessToken)
{
    var http = new HttpClient();
    if (accessToken is not null)
        http.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);
    return new DfChatClient(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http) { BaseUrl = baseUrl });
}

async Task<T> ProblemOf<T>(Func<Task> call) where T : ProblemDetails
{
    try
    {
        await call();
    }
    catch (T problem)
    {
        return problem;
    }

    throw new InvalidOperationException($"Expected a {typeof(T).Name}, the call succeeded.");
}

var anonymous = Connect(accessToken: null);

async Task<(DfChatClient Chat, string Id)> SignUpAsync(string name)
{
    var email = $"{name}-{run}@example.com";
    await anonymous.Auth.Register.PostAsync(new RegisterRequest { Email = email, Password = Password });
    var tokens = await anonymous.Auth.Login.PostAsync(new LoginRequest { Email = email, Password = Password });
    var chat = Connect(tokens!.AccessToken);
    var me = await chat.Api.Chat.Users.Me.GetAsync();
    return (chat, me!.Id!);
}

var (alice, aliceId) = await SignUpAsync("alice");
var (bob, bobId) = await SignUpAsync("bob");
var (carol, carolId) = await SignUpAsync("carol");

// A wrong password: the sample's login answers 401 with problem details, thrown as the generated type.
var wrongPassword = await ProblemOf<ProblemDetails>(() => anonymous.Auth.Login.PostAsync(new LoginRequest { Email = $"alice-{run}@example.com", Password = "not-it" }));
Expect(wrongPassword.ResponseStatusCode == 401, "a wrong password is a 401 ProblemDetails");

// Private messages: exactly two users; nobody can add anyone else; either can delete the room.
var pair = await alice.Api.Chat.Rooms.PostAsync(new CreateRoomRequest { Type = RoomType.Private_messages, UserIds = [bobId] });
Expect(pair?.Type == RoomType.Private_messages && pair.MemberCount == 2, "a private room of two");
await alice.Api.Chat.Rooms[pair!.Id].Messages.PostAsync(new SendMessageRequest { Text = "Hi Bob" });
var bobsRooms = await bob.Api.Chat.Rooms.GetAsync(c => c.QueryParameters.TypeAsRoomType = RoomType.Private_messages);
Expect(bobsRooms?.Items?.SingleOrDefault(r => r.Id == pair.Id)?.Membership?.UnreadCount == 1, "Bob sees the private room with one unread message");
var noThird = await ProblemOf<ProblemDetails>(() => bob.Api.Chat.Rooms[pair.Id].Users.PostAsync(new AddMemberRequest { UserId = carolId }));
Expect(noThird.ResponseStatusCode == 403, "adding a third user to a private room is a 403");
Expect(!string.IsNullOrEmpty(noThird.Detail) && noThird.Message == noThird.Detail, $"the exception's Message is the problem's detail ('{noThird.Message}')");
await bob.Api.Chat.Rooms[pair.Id].DeleteAsync();
var gone = await ProblemOf<ProblemDetails>(() => alice.Api.Chat.Rooms[pair.Id].GetAsync());
Expect(gone.ResponseStatusCode == 404, "the other member deleted the private room");

// A group of three with a first message: the two others see the room with one unread message.
var invalid = await ProblemOf<HttpValidationProblemDetails>(() => alice.Api.Chat.Rooms.PostAsync(new CreateRoomRequest { Type = RoomType.Group }));
Expect(invalid.ResponseStatusCode == 400 && invalid.Errors?.AdditionalData.ContainsKey("name") == true, "a group without a name is a validation problem naming the field");
ProblemDetails general = invalid;
Expect(general.Message == general.Detail, "a validation problem is a ProblemDetails, its Message the detail");
var group = await alice.Api.Chat.Rooms.PostAsync(new CreateRoomRequest { Type = RoomType.Group, Name = $"Three of us {run}", UserIds = [bobId, carolId] });
Expect(group?.MemberCount == 3 && group.Membership?.IsOwner == true, "Alice owns a group of three");
var first = await alice.Api.Chat.Rooms[group!.Id].Messages.PostAsync(new SendMessageRequest { Text = "Alice created a chat", ClientMessageId = $"first-{run}" });
Expect(first?.UserId == aliceId && first.User?.DisplayName == $"alice-{run}@example.com", "the first message is Alice's");
foreach (var (member, name) in new[] { (bob, "Bob"), (carol, "Carol") })
{
    var seen = await member.Api.Chat.Rooms[group.Id].GetAsync();
    Expect(seen?.Membership?.UnreadCount == 1 && seen.LastMessage?.Text == "Alice created a chat", $"{name} sees the group with one unread message");
    Expect(seen?.Membership?.Permissions?.Contains(Permission.Can_add_users) == true, $"{name} may add users to the group");
}

// The group's log, typed by event: three members added, the message, its edit; messageCreated and
// messageUpdated share one payload type, the message or its redaction.
static string? TextOf(MessageOrRedacted? payload) => payload?.RedactedPayload?.Redacted == true ? null : payload?.MessageModel?.Text;
await alice.Api.Chat.Rooms[group.Id].Messages[first!.Id].PatchAsync(new EditMessageBody { Text = "Alice created this chat" });
var log = await bob.Api.Chat.Rooms[group.Id].Events.GetAsync(c => c.QueryParameters.After = 0);
var events = log?.Items ?? [];
Expect(events.Count(e => e.MemberAddedEvent is not null) == 3, "the log holds three memberAdded events with their members");
var created = events.Select(e => e.MessageCreatedEvent).OfType<MessageCreatedEvent>().Single();
Expect(TextOf(created.Payload) == "Alice created a chat", "messageCreated carries the message");
var updated = events.Select(e => e.MessageUpdatedEvent).OfType<MessageUpdatedEvent>().Single();
Expect(TextOf(updated.Payload) == "Alice created this chat" && updated.Seq > created.Seq, "messageUpdated carries the edited message, later");
await alice.Api.Chat.Rooms[group.Id].Messages[first.Id].DeleteAsync();
var redactedLog = await bob.Api.Chat.Rooms[group.Id].Events.GetAsync(c => c.QueryParameters.After = 0);
var redacted = redactedLog?.Items?.Select(e => e.MessageCreatedEvent).OfType<MessageCreatedEvent>().Single();
Expect(redacted?.Payload?.RedactedPayload?.Redacted == true && redacted.Payload.RedactedPayload.MessageId == first.Id && TextOf(redacted.Payload) is null, "after the delete, messageCreated is redacted");
Expect(redactedLog!.Items!.Any(e => e.MessageDeletedEvent?.Payload?.MessageId == first.Id), "messageDeleted names the message");

// A news channel: an editor who posts, a reader who reads and reacts but cannot post.
var channel = await alice.Api.Chat.Rooms.PostAsync(new CreateRoomRequest { Type = RoomType.Channel, Name = $"News {run}" });
var editor = await alice.Api.Chat.Rooms[channel!.Id].Users.PostAsync(new AddMemberRequest { UserId = bobId, Permissions = [Permission.Can_add_users, Permission.Can_create_messages] });
Expect(editor?.Permissions?.Order().SequenceEqual(new Permission?[] { Permission.Can_add_users, Permission.Can_create_messages }.Order()) == true, "Bob is an editor");
var reader = await alice.Api.Chat.Rooms[channel.Id].Users.PostAsync(new AddMemberRequest { UserId = carolId, Permissions = [] });
Expect(reader?.Permissions?.Count == 0, "Carol is a reader without permissions");

// Send a picture: upload it, then a message with its id in mediaIds.
var picture = new MultipartBody();
picture.AddOrReplacePart("file", "image/png", Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="), "news.png");
var media = await bob.Api.Chat.Media.PostAsync(picture);
Expect(media?.ContentType == "image/png" && media.FileName == "news.png", "Bob uploaded a picture");
var news = await bob.Api.Chat.Rooms[channel.Id].Messages.PostAsync(new SendMessageRequest { Text = "Today's news", MediaIds = [media!.Id!] });
Expect(news?.Media?.SingleOrDefault()?.Id == media.Id, "the editor's news carries the picture");
var bytes = await carol.Api.Chat.Media[media.Id].Content.GetAsync(c => c.Headers.Add("Range", "bytes=0-7"));
using (var head = new MemoryStream())
{
    await bytes!.CopyToAsync(head);
    Expect(head.ToArray().SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), "the reader gets the picture's first bytes by a Range request");
}

var readerPosts = await ProblemOf<ProblemDetails>(() => carol.Api.Chat.Rooms[channel.Id].Messages.PostAsync(new SendMessageRequest { Text = "Me too" }));
Expect(readerPosts.ResponseStatusCode == 403 && readerPosts.Message == readerPosts.Detail, $"the reader cannot post: 403 '{readerPosts.Message}'");
var like = await carol.Api.Chat.Rooms[channel.Id].Messages[news!.Id].Reactions.PostAsync(new AddReactionBody { Reaction = "like" });
Expect(like?.UserId == carolId, "the reader reacts");
var readerView = await carol.Api.Chat.Rooms[channel.Id].Messages.GetAsync();
Expect(readerView?.Items?.FirstOrDefault()?.Reactions?.SingleOrDefault()?.Me == true, "the reader sees the news with its reaction");

Console.WriteLine($"csharp-check: all {checks} checks passed");

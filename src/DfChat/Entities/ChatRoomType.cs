namespace DfChat.Entities;

/// <summary>The kind of a chat room, which decides its members' default permissions.</summary>
public enum ChatRoomType
{
    /// <summary>A conversation of exactly two users, without owner (<c>private_messages</c>).</summary>
    PrivateMessages = 0,

    /// <summary>A room where every member writes and adds members (<c>group</c>).</summary>
    Group = 1,

    /// <summary>A room where only members granted <c>can_create_messages</c> post (<c>channel</c>).</summary>
    Channel = 2,
}

namespace DfChat.Options;

/// <summary>What erasing a user does with the messages they posted (<see cref="DfChatOptions.ErasedUserMessages"/>).</summary>
public enum ErasedUserMessages
{
    /// <summary>
    /// The messages stay in their rooms, with <c>userId</c> and <c>user</c> null: the conversation others
    /// took part in keeps its sense. Their text is kept; a user who wants it gone deletes it first, or the
    /// host picks <see cref="Delete"/>. With a value-type user key (<c>Guid</c>, <c>int</c>), whose column
    /// cannot hold null, messages are deleted as with <see cref="Delete"/>.
    /// </summary>
    Anonymize = 0,

    /// <summary>The messages are deleted, exactly as <c>DELETE /rooms/{roomId}/messages/{messageId}</c> deletes one.</summary>
    Delete = 1,
}

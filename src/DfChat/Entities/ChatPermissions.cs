namespace DfChat.Entities;

/// <summary>The per-room permissions of a member, stored as one flags column.</summary>
/// <remarks>The wire names (<c>can_add_users</c>, …) are given by <see cref="ChatPermissionNames"/>.</remarks>
[Flags]
public enum ChatPermissions
{
    /// <summary>No permission.</summary>
    None = 0,

    /// <summary><c>can_add_users</c>.</summary>
    AddUsers = 1 << 0,

    /// <summary><c>can_remove_users</c>.</summary>
    RemoveUsers = 1 << 1,

    /// <summary><c>can_create_messages</c>.</summary>
    CreateMessages = 1 << 2,

    /// <summary><c>can_delete_messages</c>: delete anyone's messages and reactions.</summary>
    DeleteMessages = 1 << 3,

    /// <summary><c>can_delete_own_messages</c>.</summary>
    DeleteOwnMessages = 1 << 4,

    /// <summary><c>can_edit_messages</c>: edit anyone's messages.</summary>
    EditMessages = 1 << 5,

    /// <summary><c>can_edit_own_messages</c>.</summary>
    EditOwnMessages = 1 << 6,

    /// <summary><c>can_edit_room</c>.</summary>
    EditRoom = 1 << 7,

    /// <summary><c>can_delete_room</c>.</summary>
    DeleteRoom = 1 << 8,

    /// <summary>Every permission: what an owner holds.</summary>
    All = AddUsers | RemoveUsers | CreateMessages | DeleteMessages | DeleteOwnMessages
        | EditMessages | EditOwnMessages | EditRoom | DeleteRoom,
}

using System.Diagnostics.CodeAnalysis;

namespace DfChat.Entities;

/// <summary>Converts between <see cref="ChatPermissions"/> and the contract's permission names.</summary>
public static class ChatPermissionNames
{
    private static readonly (ChatPermissions Flag, string Name)[] Names =
    [
        (ChatPermissions.AddUsers, "can_add_users"),
        (ChatPermissions.RemoveUsers, "can_remove_users"),
        (ChatPermissions.CreateMessages, "can_create_messages"),
        (ChatPermissions.DeleteMessages, "can_delete_messages"),
        (ChatPermissions.DeleteOwnMessages, "can_delete_own_messages"),
        (ChatPermissions.EditMessages, "can_edit_messages"),
        (ChatPermissions.EditOwnMessages, "can_edit_own_messages"),
        (ChatPermissions.EditRoom, "can_edit_room"),
        (ChatPermissions.DeleteRoom, "can_delete_room"),
    ];

    /// <summary>Every permission name, in the contract's order.</summary>
    public static IReadOnlyList<string> All { get; } = Names.Select(n => n.Name).ToArray();

    /// <summary>The names of the permissions set in <paramref name="permissions"/>, in the contract's order.</summary>
    public static IReadOnlyList<string> ToNames(ChatPermissions permissions) =>
        Names.Where(n => (permissions & n.Flag) != 0).Select(n => n.Name).ToArray();

    /// <summary>Parses permission names; fails on the first unknown name.</summary>
    /// <param name="names">The names to parse.</param>
    /// <param name="permissions">The parsed flags.</param>
    /// <param name="unknown">The first name that is not a permission, when parsing fails.</param>
    public static bool TryParse(IEnumerable<string?> names, out ChatPermissions permissions, [NotNullWhen(false)] out string? unknown)
    {
        ArgumentNullException.ThrowIfNull(names);
        permissions = ChatPermissions.None;
        foreach (var name in names)
        {
            var match = Array.FindIndex(Names, n => string.Equals(n.Name, name, StringComparison.Ordinal));
            if (match < 0)
            {
                unknown = name ?? "null";
                return false;
            }

            permissions |= Names[match].Flag;
        }

        unknown = null;
        return true;
    }

    /// <summary>The contract's name of a room type.</summary>
    public static string ToName(ChatRoomType type) => type switch
    {
        ChatRoomType.PrivateMessages => "private_messages",
        ChatRoomType.Group => "group",
        _ => "channel",
    };

    /// <summary>Parses a room type name of the contract.</summary>
    public static bool TryParseRoomType(string? name, out ChatRoomType type)
    {
        switch (name)
        {
            case "private_messages": type = ChatRoomType.PrivateMessages; return true;
            case "group": type = ChatRoomType.Group; return true;
            case "channel": type = ChatRoomType.Channel; return true;
            default: type = default; return false;
        }
    }
}

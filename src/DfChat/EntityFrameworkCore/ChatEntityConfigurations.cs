using DfChat.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace DfChat.EntityFrameworkCore;

/// <summary>Shared pieces of the chat's EF Core configuration.</summary>
internal static class ChatModelConventions
{
    /// <summary>Reads every time back as UTC: SQLite keeps no kind, and the contract writes UTC with a Z.</summary>
    public static readonly ValueConverter<DateTime, DateTime> Utc =
        new(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    public static readonly ValueConverter<DateTime?, DateTime?> NullableUtc =
        new(v => v, v => v == null ? null : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));

    public static PropertyBuilder<DateTime> IsUtc(this PropertyBuilder<DateTime> property) => property.HasConversion(Utc);

    public static PropertyBuilder<DateTime?> IsUtc(this PropertyBuilder<DateTime?> property) => property.HasConversion(NullableUtc);

    /// <summary>
    /// A reference to the host's user that erasing the user sets to null: optional where the key type can
    /// hold null (string, as in <c>IdentityUser</c>). A value-type key (<c>Guid</c>, <c>int</c>) cannot, so the
    /// column stays required and erasing replaces or removes the row instead (see <c>IChatUserData</c>).
    /// </summary>
    public static PropertyBuilder<TKey> IsErasableUser<TKey>(this PropertyBuilder<TKey> property) =>
        typeof(TKey).IsValueType ? property : property.IsRequired(false);

    /// <summary>
    /// Every foreign key to the host's user restricts its deletion: the chat's rows go only through the
    /// chat's write path (events, counts, files), by <c>IChatUserData.EraseAsync</c>, never behind its back by
    /// a cascade; a host that deletes a user without erasing them first gets a clear constraint failure.
    /// </summary>
    public const DeleteBehavior UserReference = DeleteBehavior.Restrict;
}

/// <summary>Configures <see cref="ChatRoom{TUserKey}"/>.</summary>
internal sealed class ChatRoomConfiguration<TUser, TKey> : IEntityTypeConfiguration<ChatRoom<TKey>>
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public void Configure(EntityTypeBuilder<ChatRoom<TKey>> builder)
    {
        builder.ToTable("ChatRooms");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Type).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.Name).HasMaxLength(255);
        builder.Property(r => r.NormalizedName).HasMaxLength(255);
        builder.Property(r => r.Description).HasMaxLength(2000);
        builder.Property(r => r.CreatedAt).IsUtc();
        builder.Property(r => r.LastActivityAt).IsUtc();
        builder.Property(r => r.LatestLastSeenAt).IsUtc();
        builder.Property(r => r.CreatedBy).IsErasableUser();
        builder.HasOne<TUser>().WithMany().HasForeignKey(r => r.CreatedBy).OnDelete(ChatModelConventions.UserReference);
        builder.HasOne<ChatMedia<TKey>>().WithMany().HasForeignKey(r => r.AvatarMediaId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(r => r.PrivatePairKey).IsUnique();
        builder.HasIndex(r => new { r.IsPublic, r.LastActivityAt, r.Id });

        // Erasing a user finds the rooms they created.
        builder.HasIndex(r => r.CreatedBy);
    }
}

/// <summary>Configures <see cref="ChatRoomUser{TUserKey}"/>.</summary>
internal sealed class ChatRoomUserConfiguration<TUser, TKey> : IEntityTypeConfiguration<ChatRoomUser<TKey>>
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public void Configure(EntityTypeBuilder<ChatRoomUser<TKey>> builder)
    {
        builder.ToTable("ChatRoomUsers");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.LastSeenAt).IsUtc();
        builder.Property(m => m.CreatedAt).IsUtc();
        builder.HasOne<ChatRoom<TKey>>().WithMany().HasForeignKey(m => m.RoomId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(m => m.CreatedBy).IsErasableUser();
        builder.HasOne<TUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(ChatModelConventions.UserReference);
        builder.HasOne<TUser>().WithMany().HasForeignKey(m => m.CreatedBy).OnDelete(ChatModelConventions.UserReference);

        // One membership per user and room.
        builder.HasIndex(m => new { m.RoomId, m.UserId }).IsUnique();

        // A room's members page in joining order along this index.
        builder.HasIndex(m => new { m.RoomId, m.Id });

        // A user's rooms: one index range, joined to the rooms for their activity.
        builder.HasIndex(m => new { m.UserId, m.RoomId });

        // Erasing a user finds the memberships they added.
        builder.HasIndex(m => m.CreatedBy);

        // A message's readers (members whose read position is at or after it), in read order, on one index range.
        builder.HasIndex(m => new { m.RoomId, m.LastSeenAt, m.Id });
    }
}

/// <summary>Configures <see cref="ChatMessage{TUserKey}"/>.</summary>
internal sealed class ChatMessageConfiguration<TUser, TKey> : IEntityTypeConfiguration<ChatMessage<TKey>>
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public void Configure(EntityTypeBuilder<ChatMessage<TKey>> builder)
    {
        builder.ToTable("ChatMessages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.CreatedAt).IsUtc();
        builder.Property(m => m.EditedAt).IsUtc();
        builder.Property(m => m.ThreadLastReplyAt).IsUtc();
        builder.Property(m => m.PinnedAt).IsUtc();
        builder.Property(m => m.ClientMessageId).HasMaxLength(100);
        builder.HasOne<ChatRoom<TKey>>().WithMany().HasForeignKey(m => m.RoomId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(m => m.UserId).IsErasableUser();
        builder.HasOne<TUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(ChatModelConventions.UserReference);
        builder.HasOne<ChatMessage<TKey>>().WithMany().HasForeignKey(m => m.ReplyToId).OnDelete(DeleteBehavior.NoAction);
        builder.HasOne<ChatMessage<TKey>>().WithMany().HasForeignKey(m => m.ThreadId).OnDelete(DeleteBehavior.NoAction);

        // A room's history pages newest first and catches up oldest first along this index.
        builder.HasIndex(m => new { m.RoomId, m.Id });

        // The room's own list (ThreadId IS NULL) and each thread (ThreadId = the root), both by id on one index
        // range: a room with many thread replies pages its list without stepping over them.
        builder.HasIndex(m => new { m.RoomId, m.ThreadId, m.Id });

        // Recounting one member's unread messages after its read position.
        builder.HasIndex(m => new { m.RoomId, m.CreatedAt });

        // One message per sender and client message id in a room.
        builder.HasIndex(m => new { m.RoomId, m.UserId, m.ClientMessageId }).IsUnique();

        // A user's messages in order, for erasing and exporting them.
        builder.HasIndex(m => new { m.UserId, m.Id });
    }
}

/// <summary>Configures <see cref="ChatMedia{TUserKey}"/>.</summary>
internal sealed class ChatMediaConfiguration<TUser, TKey> : IEntityTypeConfiguration<ChatMedia<TKey>>
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public void Configure(EntityTypeBuilder<ChatMedia<TKey>> builder)
    {
        builder.ToTable("ChatMedia");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.ContentType).HasMaxLength(255);
        builder.Property(m => m.FileName).HasMaxLength(255);
        builder.Property(m => m.StorageKey).HasMaxLength(100);
        builder.Property(m => m.CreatedAt).IsUtc();
        builder.Property(m => m.UploadedBy).IsErasableUser();
        builder.HasOne<TUser>().WithMany().HasForeignKey(m => m.UploadedBy).OnDelete(ChatModelConventions.UserReference);

        // A user's uploads in order, for erasing and exporting them.
        builder.HasIndex(m => new { m.UploadedBy, m.Id });
    }
}

/// <summary>Configures <see cref="ChatMessageMedia"/>.</summary>
internal sealed class ChatMessageMediaConfiguration<TKey> : IEntityTypeConfiguration<ChatMessageMedia>
    where TKey : IEquatable<TKey>
{
    public void Configure(EntityTypeBuilder<ChatMessageMedia> builder)
    {
        builder.ToTable("ChatMessageMedia");
        builder.HasKey(l => new { l.MessageId, l.Sequence });
        builder.HasOne<ChatMessage<TKey>>().WithMany().HasForeignKey(l => l.MessageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<ChatMedia<TKey>>().WithMany().HasForeignKey(l => l.MediaId).OnDelete(DeleteBehavior.Cascade);

        // A media is attached to one message at most.
        builder.HasIndex(l => l.MediaId).IsUnique();
        builder.HasIndex(l => l.RoomId);
    }
}

/// <summary>Configures <see cref="ChatMessageReaction{TUserKey}"/>.</summary>
internal sealed class ChatMessageReactionConfiguration<TUser, TKey> : IEntityTypeConfiguration<ChatMessageReaction<TKey>>
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public void Configure(EntityTypeBuilder<ChatMessageReaction<TKey>> builder)
    {
        builder.ToTable("ChatMessageReactions");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.CreatedAt).IsUtc();
        builder.HasOne<ChatMessage<TKey>>().WithMany().HasForeignKey(r => r.MessageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<TUser>().WithMany().HasForeignKey(r => r.UserId).OnDelete(ChatModelConventions.UserReference);

        // One reaction per user, message and value; also the message's reaction list and counts.
        builder.HasIndex(r => new { r.MessageId, r.UserId, r.Reaction }).IsUnique();
        builder.HasIndex(r => new { r.RoomId, r.MessageId, r.Id });

        // The caller's own reactions, newest first.
        builder.HasIndex(r => new { r.UserId, r.Id });
    }
}

/// <summary>Configures <see cref="ChatMessagePin{TUserKey}"/>.</summary>
internal sealed class ChatMessagePinConfiguration<TUser, TKey> : IEntityTypeConfiguration<ChatMessagePin<TKey>>
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public void Configure(EntityTypeBuilder<ChatMessagePin<TKey>> builder)
    {
        builder.ToTable("ChatMessagePins");
        builder.HasKey(p => p.MessageId);
        builder.Property(p => p.PinnedAt).IsUtc();
        builder.HasOne<ChatMessage<TKey>>().WithMany().HasForeignKey(p => p.MessageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<TUser>().WithMany().HasForeignKey(p => p.PinnedBy).OnDelete(DeleteBehavior.Cascade);

        // A room's pins, newest first, and their number.
        builder.HasIndex(p => new { p.RoomId, p.PinnedAt, p.MessageId });
    }
}

/// <summary>Configures <see cref="ChatMessageEdit"/>.</summary>
internal sealed class ChatMessageEditConfiguration<TKey> : IEntityTypeConfiguration<ChatMessageEdit>
    where TKey : IEquatable<TKey>
{
    public void Configure(EntityTypeBuilder<ChatMessageEdit> builder)
    {
        builder.ToTable("ChatMessageEdits");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.EditedAt).IsUtc();
        builder.HasOne<ChatMessage<TKey>>().WithMany().HasForeignKey(e => e.MessageId).OnDelete(DeleteBehavior.Cascade);

        // A message's earlier versions, newest first.
        builder.HasIndex(e => new { e.MessageId, e.Id });
    }
}

/// <summary>Configures <see cref="ChatRoomEvent"/>.</summary>
internal sealed class ChatRoomEventConfiguration : IEntityTypeConfiguration<ChatRoomEvent>
{
    public void Configure(EntityTypeBuilder<ChatRoomEvent> builder)
    {
        builder.ToTable("ChatRoomEvents");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Type).HasMaxLength(40);
        builder.Property(e => e.ActorId).HasMaxLength(255);
        builder.Property(e => e.CreatedAt).IsUtc();
        builder.Property(e => e.PublishedAt).IsUtc();
        builder.Property(e => e.ClaimedBy).HasMaxLength(64);
        builder.Property(e => e.ClaimedUntil).IsUtc();

        // A room's events in order, for catch-up; unique, so that a seq can never be given twice.
        builder.HasIndex(e => new { e.RoomId, e.Seq }).IsUnique();

        // The events not yet published (null first) and, once published, by age for retention.
        builder.HasIndex(e => e.PublishedAt);
    }
}

using DfChat.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DfChat.EntityFrameworkCore;

/// <summary>Configures <see cref="ChatRoomBan{TUserKey}"/>.</summary>
internal sealed class ChatRoomBanConfiguration<TUser, TKey> : IEntityTypeConfiguration<ChatRoomBan<TKey>>
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public void Configure(EntityTypeBuilder<ChatRoomBan<TKey>> builder)
    {
        builder.ToTable("ChatRoomBans");
        builder.HasKey(b => b.Id);
        builder.Property(b => b.Reason).HasMaxLength(1000);
        builder.Property(b => b.ExpiresAt).IsUtc();
        builder.Property(b => b.CreatedAt).IsUtc();
        builder.HasOne<ChatRoom<TKey>>().WithMany().HasForeignKey(b => b.RoomId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<TUser>().WithMany().HasForeignKey(b => b.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<TUser>().WithMany().HasForeignKey(b => b.CreatedBy).OnDelete(DeleteBehavior.NoAction);

        // One ban per user and room: checked on every join, add and accepted invitation.
        builder.HasIndex(b => new { b.RoomId, b.UserId }).IsUnique();

        // A room's bans page in the order they were made.
        builder.HasIndex(b => new { b.RoomId, b.Id });
    }
}

/// <summary>Configures <see cref="ChatUserBlock{TUserKey}"/>.</summary>
internal sealed class ChatUserBlockConfiguration<TUser, TKey> : IEntityTypeConfiguration<ChatUserBlock<TKey>>
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public void Configure(EntityTypeBuilder<ChatUserBlock<TKey>> builder)
    {
        builder.ToTable("ChatUserBlocks");
        builder.HasKey(b => b.Id);
        builder.Property(b => b.CreatedAt).IsUtc();
        builder.HasOne<TUser>().WithMany().HasForeignKey(b => b.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<TUser>().WithMany().HasForeignKey(b => b.BlockedUserId).OnDelete(DeleteBehavior.Cascade);

        // One block per pair; also "has this user blocked that one", asked before a private room, an add or a send.
        builder.HasIndex(b => new { b.UserId, b.BlockedUserId }).IsUnique();

        // A user's blocks page in the order they were made.
        builder.HasIndex(b => new { b.UserId, b.Id });
    }
}

/// <summary>Configures <see cref="ChatRoomInvite{TUserKey}"/>.</summary>
internal sealed class ChatRoomInviteConfiguration<TUser, TKey> : IEntityTypeConfiguration<ChatRoomInvite<TKey>>
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public void Configure(EntityTypeBuilder<ChatRoomInvite<TKey>> builder)
    {
        builder.ToTable("ChatRoomInvites");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.TokenHash).HasMaxLength(32);
        builder.Property(i => i.ExpiresAt).IsUtc();
        builder.Property(i => i.CreatedAt).IsUtc();
        builder.HasOne<ChatRoom<TKey>>().WithMany().HasForeignKey(i => i.RoomId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<TUser>().WithMany().HasForeignKey(i => i.CreatedBy).OnDelete(DeleteBehavior.Cascade);

        // An invitation is found by its token's hash.
        builder.HasIndex(i => i.TokenHash).IsUnique();

        // A room's invitations page in the order they were made.
        builder.HasIndex(i => new { i.RoomId, i.Id });
    }
}

/// <summary>Configures <see cref="ChatMessageReport{TUserKey}"/>.</summary>
internal sealed class ChatMessageReportConfiguration<TUser, TKey> : IEntityTypeConfiguration<ChatMessageReport<TKey>>
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public void Configure(EntityTypeBuilder<ChatMessageReport<TKey>> builder)
    {
        builder.ToTable("ChatMessageReports");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Reason).HasMaxLength(1000);
        builder.Property(r => r.MessageUserId).HasMaxLength(255);
        builder.Property(r => r.CreatedAt).IsUtc();
        builder.Property(r => r.DeliveredAt).IsUtc();
        builder.HasOne<ChatRoom<TKey>>().WithMany().HasForeignKey(r => r.RoomId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<TUser>().WithMany().HasForeignKey(r => r.ReporterId).OnDelete(DeleteBehavior.Cascade);

        // One report per reporter and message: reporting again changes nothing.
        builder.HasIndex(r => new { r.MessageId, r.ReporterId }).IsUnique();

        // The reports not yet delivered (null first), for recovery.
        builder.HasIndex(r => r.DeliveredAt);
    }
}

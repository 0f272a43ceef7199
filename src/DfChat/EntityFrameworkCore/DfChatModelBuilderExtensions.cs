using System.Reflection;
using DfChat.EntityFrameworkCore;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Adds the chat tables to the host's EF Core model.</summary>
public static class DfChatModelBuilderExtensions
{
    /// <summary>
    /// Adds the chat entities to the model, with real foreign keys to <typeparamref name="TUser"/>'s
    /// table. Call it in <c>OnModelCreating</c>, after <c>base.OnModelCreating(modelBuilder)</c>.
    /// </summary>
    /// <typeparam name="TUser">The host's user entity; its key type is read from the model.</typeparam>
    /// <param name="modelBuilder">The host's model builder.</param>
    /// <returns>The model builder.</returns>
    /// <example>
    /// <code>
    /// protected override void OnModelCreating(ModelBuilder modelBuilder)
    /// {
    ///     base.OnModelCreating(modelBuilder);
    ///     modelBuilder.UseDfChat&lt;AppUser&gt;();
    /// }
    /// </code>
    /// </example>
    public static ModelBuilder UseDfChat<TUser>(this ModelBuilder modelBuilder)
        where TUser : class
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        var key = modelBuilder.Entity<TUser>().Metadata.FindPrimaryKey()
            ?? throw new InvalidOperationException($"{typeof(TUser).Name} has no primary key: DfChat needs one to reference users.");
        if (key.Properties.Count != 1)
            throw new InvalidOperationException($"{typeof(TUser).Name} has a composite key: DfChat needs a single-column user key.");
        var keyType = key.Properties[0].ClrType;
        typeof(DfChatModelBuilderExtensions)
            .GetMethod(nameof(Configure), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(typeof(TUser), keyType)
            .Invoke(null, [modelBuilder]);
        return modelBuilder;
    }

    private static void Configure<TUser, TKey>(ModelBuilder modelBuilder)
        where TUser : class
        where TKey : IEquatable<TKey>
    {
        modelBuilder.ApplyConfiguration(new ChatMediaConfiguration<TUser, TKey>());
        modelBuilder.ApplyConfiguration(new ChatRoomConfiguration<TUser, TKey>());
        modelBuilder.ApplyConfiguration(new ChatRoomUserConfiguration<TUser, TKey>());
        modelBuilder.ApplyConfiguration(new ChatMessageConfiguration<TUser, TKey>());
        modelBuilder.ApplyConfiguration(new ChatMessageMediaConfiguration<TKey>());
        modelBuilder.ApplyConfiguration(new ChatMessageReactionConfiguration<TUser, TKey>());
        modelBuilder.ApplyConfiguration(new ChatMessagePinConfiguration<TUser, TKey>());
        modelBuilder.ApplyConfiguration(new ChatMessageEditConfiguration<TKey>());
        modelBuilder.ApplyConfiguration(new ChatRoomEventConfiguration());
        modelBuilder.ApplyConfiguration(new ChatRoomBanConfiguration<TUser, TKey>());
        modelBuilder.ApplyConfiguration(new ChatUserBlockConfiguration<TUser, TKey>());
        modelBuilder.ApplyConfiguration(new ChatRoomInviteConfiguration<TUser, TKey>());
        modelBuilder.ApplyConfiguration(new ChatMessageReportConfiguration<TUser, TKey>());
    }
}

using System.ComponentModel.DataAnnotations;
using System.Linq.Expressions;
using System.Reflection;
using DfChat;
using DfChat.EntityFrameworkCore;
using DfChat.Events;
using DfChat.Options;
using DfChat.Services;
using DfChat.Storage;
using DfChat.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the chat module.</summary>
public static class DfChatServiceCollectionExtensions
{
    /// <summary>
    /// Adds the chat services (rules, storage, events) bound to the host's user entity
    /// <typeparamref name="TUser"/>, without HTTP. Follow with <see cref="DfChatBuilder{TUser}.UseDbContext{TContext}"/>.
    /// </summary>
    /// <remarks>Web hosts call <c>AddDfChat&lt;TUser&gt;()</c> of the DfChat.AspNetCore package, which calls this.</remarks>
    /// <typeparam name="TUser">The host's user entity. Its key is the property named <c>Id</c> or marked <c>[Key]</c>.</typeparam>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets options; optional.</param>
    /// <returns>A builder for follow-up calls.</returns>
    /// <example>
    /// <code>
    /// services.AddDfChatCore&lt;AppUser&gt;(o =&gt; o.Reactions.AllowAnyEmoji = true)
    ///         .UseDbContext&lt;AppDbContext&gt;();
    /// </code>
    /// </example>
    public static DfChatBuilder<TUser> AddDfChatCore<TUser>(this IServiceCollection services, Action<DfChatOptions>? configure = null)
        where TUser : class
    {
        ArgumentNullException.ThrowIfNull(services);
        var keyType = FindKeyType(typeof(TUser));
        typeof(DfChatServiceCollectionExtensions)
            .GetMethod(nameof(AddCore), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(typeof(TUser), keyType)
            .Invoke(null, [services]);

        var options = services.AddOptions<DfChatOptions>();
        if (configure is not null)
            options.Configure(configure);
        options.ValidateOnStart();
        return new DfChatBuilder<TUser>(services);
    }

    private static void AddCore<TUser, TKey>(IServiceCollection services)
        where TUser : class
        where TKey : IEquatable<TKey>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DfChatOptions>, DfChatOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ChatWriteQueue>();
        services.TryAddSingleton<ChatOutbox>();
        services.TryAddSingleton<HostTransactions>();
        services.TryAddSingleton<HostTransactionInterceptor>();
        services.TryAddSingleton<ChatMountPoint>();
        services.TryAddSingleton<IChatLinkGenerator, MountedChatLinkGenerator>();
        services.TryAddSingleton<IChatMediaStore, FileSystemMediaStore>();
        services.TryAddSingleton(new ChatUserModel<TUser>(null));
        services.TryAddSingleton<ChatReadQueries<TUser, TKey>>();
        services.AddOptions<FileSystemMediaStoreOptions>();
        services.TryAddScoped<RoomWrites<TUser, TKey>>();
        services.TryAddScoped<IChatRecipients, ChatRecipients<TKey>>();
        services.TryAddScoped<IChatUserFilter<TUser>, EveryUserFilter<TUser>>();
        services.TryAddScoped<IChatWritePartition, SinglePartition>();
        services.TryAddScoped<ChatUserDirectory<TUser, TKey>>();
        services.TryAddScoped<ChatStore<TUser, TKey>>();
        services.TryAddScoped<IChatRoomService, RoomService<TUser, TKey>>();
        services.TryAddScoped<IChatMemberService, MemberService<TUser, TKey>>();
        services.TryAddScoped<IChatMessageService, MessageService<TUser, TKey>>();
        services.TryAddScoped<IChatReactionService, ReactionService<TUser, TKey>>();
        services.TryAddScoped<IChatConversationService, ConversationService<TUser, TKey>>();
        services.TryAddScoped<IChatMediaService, MediaService<TUser, TKey>>();
        services.TryAddScoped<IChatUserService, UserService<TUser, TKey>>();
        services.TryAddScoped<IChatUserData, ChatUserData<TUser, TKey>>();
        services.TryAddScoped<IChatMembershipQueries, ChatMembershipQueries<TUser, TKey>>();
        services.TryAddScoped<IChatMediaSweep, UnattachedMediaSweep<TUser, TKey>>();
        services.TryAddSingleton<ChatReportDispatcher>();
        services.TryAddScoped<IChatReportStore, ChatReportStore<TUser, TKey>>();
        services.TryAddScoped<IChatModerationService, ModerationService<TUser, TKey>>();
        services.TryAddScoped<IChatInviteService, InviteService<TUser, TKey>>();
        services.TryAddScoped<IChatBlockService, BlockService<TUser, TKey>>();
        services.TryAddScoped<IChatReportService, ReportService<TUser, TKey>>();
        services.TryAddSingleton<ChatSearchIndex>();
        services.TryAddSingleton<IChatPresence, NoChatPresence>();
        services.TryAddScoped<IChatSearchService, SearchService<TUser, TKey>>();
    }

    private static Type FindKeyType(Type user)
    {
        var properties = user.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        var key = properties.FirstOrDefault(p => p.GetCustomAttribute<KeyAttribute>() is not null)
            ?? properties.FirstOrDefault(p => p.Name == "Id")
            ?? properties.FirstOrDefault(p => p.Name == user.Name + "Id")
            ?? throw new InvalidOperationException($"DfChat could not find the key of {user.Name}: give it an Id property or mark its key with [Key].");
        if (!typeof(IEquatable<>).MakeGenericType(key.PropertyType).IsAssignableFrom(key.PropertyType))
            throw new InvalidOperationException($"The key of {user.Name} ({key.PropertyType.Name}) must implement IEquatable<T>, as string, Guid, int and long do.");
        return key.PropertyType;
    }
}

/// <summary>Follow-up configuration of the chat module, returned by <c>AddDfChat&lt;TUser&gt;()</c>.</summary>
/// <typeparam name="TUser">The host's user entity.</typeparam>
public sealed class DfChatBuilder<TUser>
    where TUser : class
{
    internal DfChatBuilder(IServiceCollection services) => Services = services;

    /// <summary>The host's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Stores the chat in the host's <typeparamref name="TContext"/>, whose <c>OnModelCreating</c> calls <c>modelBuilder.UseDfChat&lt;TUser&gt;()</c>.</summary>
    /// <typeparam name="TContext">The host's DbContext, registered with <c>AddDbContext</c>.</typeparam>
    /// <returns>This builder.</returns>
    public DfChatBuilder<TUser> UseDbContext<TContext>()
        where TContext : DbContext
    {
        Services.TryAddScoped<IChatDbContextProvider, ChatDbContextProvider<TContext>>();
        Services.ConfigureDbContext<TContext>((services, o) => o.AddInterceptors(SqliteUnicodeFolding.Instance, services.GetRequiredService<HostTransactionInterceptor>()));
        return this;
    }

    /// <summary>Shows users by <paramref name="displayName"/> instead of their <c>UserName</c>; it must translate to SQL.</summary>
    /// <param name="displayName">The display name of a user, such as <c>u =&gt; u.FirstName + " " + u.LastName</c>.</param>
    /// <returns>This builder.</returns>
    public DfChatBuilder<TUser> UseDisplayName(Expression<Func<TUser, string?>> displayName)
    {
        ArgumentNullException.ThrowIfNull(displayName);
        Services.Replace(ServiceDescriptor.Singleton(new ChatUserModel<TUser>(displayName)));
        return this;
    }

    /// <summary>
    /// Limits which users a caller may find (<c>GET /users</c>) and add to rooms to those <typeparamref name="TFilter"/>
    /// lets it find, for multi-tenant hosts or private directories; by default every user finds every user.
    /// </summary>
    /// <typeparam name="TFilter">The host's filter, resolved per request scope.</typeparam>
    /// <returns>This builder.</returns>
    public DfChatBuilder<TUser> UseUserFilter<TFilter>()
        where TFilter : class, IChatUserFilter<TUser>
    {
        Services.Replace(ServiceDescriptor.Scoped<IChatUserFilter<TUser>, TFilter>());
        return this;
    }

    /// <summary>
    /// Keeps the writes of each partition that <typeparamref name="TPartition"/> names (a tenant) out of
    /// each other's transactions, for hosts whose DbContext depends on the request: see <see cref="IChatWritePartition"/>.
    /// </summary>
    /// <typeparam name="TPartition">The host's partition, resolved in the request's scope when a write is queued.</typeparam>
    /// <returns>This builder.</returns>
    public DfChatBuilder<TUser> UseWritePartition<TPartition>()
        where TPartition : class, IChatWritePartition
    {
        Services.Replace(ServiceDescriptor.Scoped<IChatWritePartition, TPartition>());
        return this;
    }

    /// <summary>Stores uploaded files in <paramref name="root"/> (default <c>media</c> under the current directory).</summary>
    /// <param name="root">The folder.</param>
    /// <returns>This builder.</returns>
    public DfChatBuilder<TUser> UseFileSystemMediaStore(string root)
    {
        Services.Configure<FileSystemMediaStoreOptions>(o => o.Root = root);
        return this;
    }
}

namespace DfChat.Writes;

/// <summary>
/// Tells apart the writes that must never share a transaction: the chat commits concurrent writes
/// together (group commit), and a host whose DbContext depends on the request (a tenant's database,
/// connection or query filter) keeps each tenant's writes apart by naming the tenant here.
/// </summary>
/// <remarks>
/// Resolved in the request's own scope when a write is queued (register it with
/// <c>AddDfChat&lt;TUser&gt;().UseWritePartition&lt;TPartition&gt;()</c>). Writes of one partition are
/// batched together; the batch's DbContext is made in the context of its first write. The default puts
/// every write in one partition.
/// </remarks>
/// <example>
/// <code>
/// sealed class TenantPartition(IHttpContextAccessor http) : IChatWritePartition
/// {
///     public string? Current =&gt; http.HttpContext?.Request.Headers["X-Tenant"].ToString();
/// }
/// </code>
/// </example>
public interface IChatWritePartition
{
    /// <summary>The partition of the current request's writes (such as its tenant's id); null for the default partition.</summary>
    string? Current { get; }
}

/// <summary>The default: one partition for every write.</summary>
internal sealed class SinglePartition : IChatWritePartition
{
    public string? Current => null;
}

using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HostApp.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RedactDeletedMessageEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "MessageId",
                table: "ChatRoomEvents",
                type: "bigint",
                nullable: true);

            // The events already in the log name their message too, so that deleting it redacts them.
            migrationBuilder.Sql("""
                UPDATE "ChatRoomEvents" SET "MessageId" = CAST(CASE "Type"
                    WHEN 'messageCreated' THEN "Payload"::jsonb ->> 'id'
                    WHEN 'messageUpdated' THEN "Payload"::jsonb ->> 'id'
                    WHEN 'roomUpdated' THEN "Payload"::jsonb -> 'lastMessage' ->> 'id'
                    ELSE "Payload"::jsonb ->> 'messageId' END AS bigint)
                WHERE "Type" IN ('messageCreated', 'messageUpdated', 'messageDeleted', 'reactionAdded', 'reactionRemoved', 'roomUpdated')
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "MessageId",
                table: "ChatRoomEvents");
        }
    }
}

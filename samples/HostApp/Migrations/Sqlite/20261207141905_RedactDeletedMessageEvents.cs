using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HostApp.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: true);

            // The events already in the log name their message too, so that deleting it redacts them.
            migrationBuilder.Sql("""
                UPDATE "ChatRoomEvents" SET "MessageId" = CAST(CASE "Type"
                    WHEN 'messageCreated' THEN json_extract("Payload", '$.id')
                    WHEN 'messageUpdated' THEN json_extract("Payload", '$.id')
                    WHEN 'roomUpdated' THEN json_extract("Payload", '$.lastMessage.id')
                    ELSE json_extract("Payload", '$.messageId') END AS INTEGER)
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

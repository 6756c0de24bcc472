/**
 * The CLI's command table: adding a command is one file that exports a Command, and one line
 * here.
 */
import { agentCommand } from "./agent.js";
import type { Command } from "./command.js";
import { membersCommand } from "./members.js";
import { ownersCommand } from "./owners.js";
import { watchCommand } from "./watch.js";

export const COMMANDS: readonly Command[] = [agentCommand, membersCommand, ownersCommand, watchCommand];

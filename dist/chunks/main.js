import { createRequire as __createRequire } from 'node:module';
import { fileURLToPath as __fileURLToPath } from 'node:url';
const require = __createRequire(import.meta.url);
const __filename = __fileURLToPath(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import { a as getDefaultExportFromCjs, E as EXIT, T as TOOL_VERSION, N as NODE_MINIMUM, e as NODE_END_OF_LIFE, B as BUILD_LOG_CAP_BYTES, C as CONFIG_SCHEMA_URL, A as ACTION_USES, d as createRunContext, u as useProxy, f as colorFor } from './proxy.js';
import require$$0, { once } from 'node:events';
import require$$1, { execFile } from 'node:child_process';
import path from 'node:path';
import fs, { existsSync, createWriteStream, createReadStream } from 'node:fs';
import process$1 from 'node:process';
import { z as refusalMessage, A as renderTerminal, G as GOOD_REFERENCE, B as checkSelection, C as CANDIDATE, D as noRecipeFor, E as isManyImages, F as loadExpectations, H as checkKernel, I as checkRubric, J as localBaseOf, K as ConfigError, N as NotRegularFileError, L as KernelFileError, M as HarnessError, O as BuildError, R as ReferenceFetchError, n as loadConfig, P as defaultSettings, Q as claimOutDir, S as clearEarlierRun, T as DEFAULT_OUT, U as githubFromEnvironment, v as variantOf, k as runBisect, V as resultText, W as BisectInputError, X as SelectionError, Y as bootKernels, Z as writeOutput, _ as noSavedRun, $ as compareSaved, a0 as SavedRunError, t as shellQuote, a1 as parseConfig, a2 as evaluateOne, a3 as buildKernel, a4 as buildImage, a5 as extractFiles, e as archMachines, f as findQemu, a6 as qemuVersion, p as probeKvm, a7 as updateExpectations, a8 as reportDivergences, a9 as tar, aa as inParallel, q as publishedArtifactName, ab as redirectTarget, ac as MAX_KERNEL_BYTES, ad as BOOT_OUTCOMES, ae as testIdsOf, af as rubricOf, s as sha256, ag as fileKind, ah as sha256File, ai as kernelRecipe, aj as CappedLog, ak as ConsoleLines, al as runContainer, am as LastLines, an as MiB, ao as limitHit, ap as copyFilesOut, aq as packContext, ar as DockerUnavailableError, as as isolated, at as prepareStaffLayers, au as scanContext, i as scoreReport, av as maxPoints, aw as defaultParallelism, ax as fetchReferences, ay as openSession, az as limiter, aA as RubricError, aB as OUTPUT_FORMAT_NAMES, aC as outputFormat, g as renderJunit, aD as gradescopeResults, y as resolveKernels, x as runDifferential, u as dropDependencyWarnings, l as dockerAccess } from './candidate.js';
import { i as isDivergence, v as validateReport, f as readJsonFile, R as ReportError, F as FAIL_ON_CLASSES, C as CLASS_ORDER, g as classColour, j as htmlPage, G as GRADEBOOK_SCRIPT, k as isShownDivergence, D as DEFAULT_ZIP_LIMITS, A as ArchiveError, s as safeEntryPath, l as download, m as extractZip, n as schemaCheck, o as ajv, p as singleLine, q as inlineText, w as link, x as writeAtomically, H as HistoryError, y as HISTORY_EVENTS, e as eventOf, h as historyRecord, a as appendRecord, z as FLAKE_WINDOW, c as allFacts, B as historySummary, E as historyText, b as renderSite, r as readTimeline, u as undoAll } from './validate.js';
import { stat, lstat, readFile, writeFile, statfs, mkdir, symlink, rm, mkdtemp, rename, readdir, copyFile, cp } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import 'node:timers/promises';
import { r as renderMatrixMarkdown, a as renderMatrixText } from './matrix.js';
import { fileURLToPath } from 'node:url';
import { freemem } from 'node:os';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline/promises';

var commander$1 = {};

var argument = {};

var error = {};

/**
 * CommanderError class
 */

var hasRequiredError;

function requireError () {
	if (hasRequiredError) return error;
	hasRequiredError = 1;
	class CommanderError extends Error {
	  /**
	   * Constructs the CommanderError class
	   * @param {number} exitCode suggested exit code which could be used with process.exit
	   * @param {string} code an id string representing the error
	   * @param {string} message human-readable description of the error
	   */
	  constructor(exitCode, code, message) {
	    super(message);
	    // properly capture stack trace in Node.js
	    Error.captureStackTrace(this, this.constructor);
	    this.name = this.constructor.name;
	    this.code = code;
	    this.exitCode = exitCode;
	    this.nestedError = undefined;
	  }
	}

	/**
	 * InvalidArgumentError class
	 */
	class InvalidArgumentError extends CommanderError {
	  /**
	   * Constructs the InvalidArgumentError class
	   * @param {string} [message] explanation of why argument is invalid
	   */
	  constructor(message) {
	    super(1, 'commander.invalidArgument', message);
	    // properly capture stack trace in Node.js
	    Error.captureStackTrace(this, this.constructor);
	    this.name = this.constructor.name;
	  }
	}

	error.CommanderError = CommanderError;
	error.InvalidArgumentError = InvalidArgumentError;
	return error;
}

var hasRequiredArgument;

function requireArgument () {
	if (hasRequiredArgument) return argument;
	hasRequiredArgument = 1;
	const { InvalidArgumentError } = requireError();

	class Argument {
	  /**
	   * Initialize a new command argument with the given name and description.
	   * The default is that the argument is required, and you can explicitly
	   * indicate this with <> around the name. Put [] around the name for an optional argument.
	   *
	   * @param {string} name
	   * @param {string} [description]
	   */

	  constructor(name, description) {
	    this.description = description || '';
	    this.variadic = false;
	    this.parseArg = undefined;
	    this.defaultValue = undefined;
	    this.defaultValueDescription = undefined;
	    this.argChoices = undefined;

	    switch (name[0]) {
	      case '<': // e.g. <required>
	        this.required = true;
	        this._name = name.slice(1, -1);
	        break;
	      case '[': // e.g. [optional]
	        this.required = false;
	        this._name = name.slice(1, -1);
	        break;
	      default:
	        this.required = true;
	        this._name = name;
	        break;
	    }

	    if (this._name.endsWith('...')) {
	      this.variadic = true;
	      this._name = this._name.slice(0, -3);
	    }
	  }

	  /**
	   * Return argument name.
	   *
	   * @return {string}
	   */

	  name() {
	    return this._name;
	  }

	  /**
	   * @package
	   */

	  _collectValue(value, previous) {
	    if (previous === this.defaultValue || !Array.isArray(previous)) {
	      return [value];
	    }

	    previous.push(value);
	    return previous;
	  }

	  /**
	   * Set the default value, and optionally supply the description to be displayed in the help.
	   *
	   * @param {*} value
	   * @param {string} [description]
	   * @return {Argument}
	   */

	  default(value, description) {
	    this.defaultValue = value;
	    this.defaultValueDescription = description;
	    return this;
	  }

	  /**
	   * Set the custom handler for processing CLI command arguments into argument values.
	   *
	   * @param {Function} [fn]
	   * @return {Argument}
	   */

	  argParser(fn) {
	    this.parseArg = fn;
	    return this;
	  }

	  /**
	   * Only allow argument value to be one of choices.
	   *
	   * @param {string[]} values
	   * @return {Argument}
	   */

	  choices(values) {
	    this.argChoices = values.slice();
	    this.parseArg = (arg, previous) => {
	      if (!this.argChoices.includes(arg)) {
	        throw new InvalidArgumentError(
	          `Allowed choices are ${this.argChoices.join(', ')}.`,
	        );
	      }
	      if (this.variadic) {
	        return this._collectValue(arg, previous);
	      }
	      return arg;
	    };
	    return this;
	  }

	  /**
	   * Make argument required.
	   *
	   * @returns {Argument}
	   */
	  argRequired() {
	    this.required = true;
	    return this;
	  }

	  /**
	   * Make argument optional.
	   *
	   * @returns {Argument}
	   */
	  argOptional() {
	    this.required = false;
	    return this;
	  }
	}

	/**
	 * Takes an argument and returns its human readable equivalent for help usage.
	 *
	 * @param {Argument} arg
	 * @return {string}
	 * @private
	 */

	function humanReadableArgName(arg) {
	  const nameOutput = arg.name() + (arg.variadic === true ? '...' : '');

	  return arg.required ? '<' + nameOutput + '>' : '[' + nameOutput + ']';
	}

	argument.Argument = Argument;
	argument.humanReadableArgName = humanReadableArgName;
	return argument;
}

var command = {};

var help = {};

var hasRequiredHelp;

function requireHelp () {
	if (hasRequiredHelp) return help;
	hasRequiredHelp = 1;
	const { humanReadableArgName } = requireArgument();

	/**
	 * TypeScript import types for JSDoc, used by Visual Studio Code IntelliSense and `npm run typescript-checkJS`
	 * https://www.typescriptlang.org/docs/handbook/jsdoc-supported-types.html#import-types
	 * @typedef { import("./argument.js").Argument } Argument
	 * @typedef { import("./command.js").Command } Command
	 * @typedef { import("./option.js").Option } Option
	 */

	// Although this is a class, methods are static in style to allow override using subclass or just functions.
	class Help {
	  constructor() {
	    this.helpWidth = undefined;
	    this.minWidthToWrap = 40;
	    this.sortSubcommands = false;
	    this.sortOptions = false;
	    this.showGlobalOptions = false;
	  }

	  /**
	   * prepareContext is called by Commander after applying overrides from `Command.configureHelp()`
	   * and just before calling `formatHelp()`.
	   *
	   * Commander just uses the helpWidth and the rest is provided for optional use by more complex subclasses.
	   *
	   * @param {{ error?: boolean, helpWidth?: number, outputHasColors?: boolean }} contextOptions
	   */
	  prepareContext(contextOptions) {
	    this.helpWidth = this.helpWidth ?? contextOptions.helpWidth ?? 80;
	  }

	  /**
	   * Get an array of the visible subcommands. Includes a placeholder for the implicit help command, if there is one.
	   *
	   * @param {Command} cmd
	   * @returns {Command[]}
	   */

	  visibleCommands(cmd) {
	    const visibleCommands = cmd.commands.filter((cmd) => !cmd._hidden);
	    const helpCommand = cmd._getHelpCommand();
	    if (helpCommand && !helpCommand._hidden) {
	      visibleCommands.push(helpCommand);
	    }
	    if (this.sortSubcommands) {
	      visibleCommands.sort((a, b) => {
	        // @ts-ignore: because overloaded return type
	        return a.name().localeCompare(b.name());
	      });
	    }
	    return visibleCommands;
	  }

	  /**
	   * Compare options for sort.
	   *
	   * @param {Option} a
	   * @param {Option} b
	   * @returns {number}
	   */
	  compareOptions(a, b) {
	    const getSortKey = (option) => {
	      // WYSIWYG for order displayed in help. Short used for comparison if present. No special handling for negated.
	      return option.short
	        ? option.short.replace(/^-/, '')
	        : option.long.replace(/^--/, '');
	    };
	    return getSortKey(a).localeCompare(getSortKey(b));
	  }

	  /**
	   * Get an array of the visible options. Includes a placeholder for the implicit help option, if there is one.
	   *
	   * @param {Command} cmd
	   * @returns {Option[]}
	   */

	  visibleOptions(cmd) {
	    const visibleOptions = cmd.options.filter((option) => !option.hidden);
	    // Built-in help option.
	    const helpOption = cmd._getHelpOption();
	    if (helpOption && !helpOption.hidden) {
	      // Automatically hide conflicting flags. Bit dubious but a historical behaviour that is convenient for single-command programs.
	      const removeShort = helpOption.short && cmd._findOption(helpOption.short);
	      const removeLong = helpOption.long && cmd._findOption(helpOption.long);
	      if (!removeShort && !removeLong) {
	        visibleOptions.push(helpOption); // no changes needed
	      } else if (helpOption.long && !removeLong) {
	        visibleOptions.push(
	          cmd.createOption(helpOption.long, helpOption.description),
	        );
	      } else if (helpOption.short && !removeShort) {
	        visibleOptions.push(
	          cmd.createOption(helpOption.short, helpOption.description),
	        );
	      }
	    }
	    if (this.sortOptions) {
	      visibleOptions.sort(this.compareOptions);
	    }
	    return visibleOptions;
	  }

	  /**
	   * Get an array of the visible global options. (Not including help.)
	   *
	   * @param {Command} cmd
	   * @returns {Option[]}
	   */

	  visibleGlobalOptions(cmd) {
	    if (!this.showGlobalOptions) return [];

	    const globalOptions = [];
	    for (
	      let ancestorCmd = cmd.parent;
	      ancestorCmd;
	      ancestorCmd = ancestorCmd.parent
	    ) {
	      const visibleOptions = ancestorCmd.options.filter(
	        (option) => !option.hidden,
	      );
	      globalOptions.push(...visibleOptions);
	    }
	    if (this.sortOptions) {
	      globalOptions.sort(this.compareOptions);
	    }
	    return globalOptions;
	  }

	  /**
	   * Get an array of the arguments if any have a description.
	   *
	   * @param {Command} cmd
	   * @returns {Argument[]}
	   */

	  visibleArguments(cmd) {
	    // Side effect! Apply the legacy descriptions before the arguments are displayed.
	    if (cmd._argsDescription) {
	      cmd.registeredArguments.forEach((argument) => {
	        argument.description =
	          argument.description || cmd._argsDescription[argument.name()] || '';
	      });
	    }

	    // If there are any arguments with a description then return all the arguments.
	    if (cmd.registeredArguments.find((argument) => argument.description)) {
	      return cmd.registeredArguments;
	    }
	    return [];
	  }

	  /**
	   * Get the command term to show in the list of subcommands.
	   *
	   * @param {Command} cmd
	   * @returns {string}
	   */

	  subcommandTerm(cmd) {
	    // Legacy. Ignores custom usage string, and nested commands.
	    const args = cmd.registeredArguments
	      .map((arg) => humanReadableArgName(arg))
	      .join(' ');
	    return (
	      cmd._name +
	      (cmd._aliases[0] ? '|' + cmd._aliases[0] : '') +
	      (cmd.options.length ? ' [options]' : '') + // simplistic check for non-help option
	      (args ? ' ' + args : '')
	    );
	  }

	  /**
	   * Get the option term to show in the list of options.
	   *
	   * @param {Option} option
	   * @returns {string}
	   */

	  optionTerm(option) {
	    return option.flags;
	  }

	  /**
	   * Get the argument term to show in the list of arguments.
	   *
	   * @param {Argument} argument
	   * @returns {string}
	   */

	  argumentTerm(argument) {
	    return argument.name();
	  }

	  /**
	   * Get the longest command term length.
	   *
	   * @param {Command} cmd
	   * @param {Help} helper
	   * @returns {number}
	   */

	  longestSubcommandTermLength(cmd, helper) {
	    return helper.visibleCommands(cmd).reduce((max, command) => {
	      return Math.max(
	        max,
	        this.displayWidth(
	          helper.styleSubcommandTerm(helper.subcommandTerm(command)),
	        ),
	      );
	    }, 0);
	  }

	  /**
	   * Get the longest option term length.
	   *
	   * @param {Command} cmd
	   * @param {Help} helper
	   * @returns {number}
	   */

	  longestOptionTermLength(cmd, helper) {
	    return helper.visibleOptions(cmd).reduce((max, option) => {
	      return Math.max(
	        max,
	        this.displayWidth(helper.styleOptionTerm(helper.optionTerm(option))),
	      );
	    }, 0);
	  }

	  /**
	   * Get the longest global option term length.
	   *
	   * @param {Command} cmd
	   * @param {Help} helper
	   * @returns {number}
	   */

	  longestGlobalOptionTermLength(cmd, helper) {
	    return helper.visibleGlobalOptions(cmd).reduce((max, option) => {
	      return Math.max(
	        max,
	        this.displayWidth(helper.styleOptionTerm(helper.optionTerm(option))),
	      );
	    }, 0);
	  }

	  /**
	   * Get the longest argument term length.
	   *
	   * @param {Command} cmd
	   * @param {Help} helper
	   * @returns {number}
	   */

	  longestArgumentTermLength(cmd, helper) {
	    return helper.visibleArguments(cmd).reduce((max, argument) => {
	      return Math.max(
	        max,
	        this.displayWidth(
	          helper.styleArgumentTerm(helper.argumentTerm(argument)),
	        ),
	      );
	    }, 0);
	  }

	  /**
	   * Get the command usage to be displayed at the top of the built-in help.
	   *
	   * @param {Command} cmd
	   * @returns {string}
	   */

	  commandUsage(cmd) {
	    // Usage
	    let cmdName = cmd._name;
	    if (cmd._aliases[0]) {
	      cmdName = cmdName + '|' + cmd._aliases[0];
	    }
	    let ancestorCmdNames = '';
	    for (
	      let ancestorCmd = cmd.parent;
	      ancestorCmd;
	      ancestorCmd = ancestorCmd.parent
	    ) {
	      ancestorCmdNames = ancestorCmd.name() + ' ' + ancestorCmdNames;
	    }
	    return ancestorCmdNames + cmdName + ' ' + cmd.usage();
	  }

	  /**
	   * Get the description for the command.
	   *
	   * @param {Command} cmd
	   * @returns {string}
	   */

	  commandDescription(cmd) {
	    // @ts-ignore: because overloaded return type
	    return cmd.description();
	  }

	  /**
	   * Get the subcommand summary to show in the list of subcommands.
	   * (Fallback to description for backwards compatibility.)
	   *
	   * @param {Command} cmd
	   * @returns {string}
	   */

	  subcommandDescription(cmd) {
	    // @ts-ignore: because overloaded return type
	    return cmd.summary() || cmd.description();
	  }

	  /**
	   * Get the option description to show in the list of options.
	   *
	   * @param {Option} option
	   * @return {string}
	   */

	  optionDescription(option) {
	    const extraInfo = [];

	    if (option.argChoices) {
	      extraInfo.push(
	        // use stringify to match the display of the default value
	        `choices: ${option.argChoices.map((choice) => JSON.stringify(choice)).join(', ')}`,
	      );
	    }
	    if (option.defaultValue !== undefined) {
	      // default for boolean and negated more for programmer than end user,
	      // but show true/false for boolean option as may be for hand-rolled env or config processing.
	      const showDefault =
	        option.required ||
	        option.optional ||
	        (option.isBoolean() && typeof option.defaultValue === 'boolean');
	      if (showDefault) {
	        extraInfo.push(
	          `default: ${option.defaultValueDescription || JSON.stringify(option.defaultValue)}`,
	        );
	      }
	    }
	    // preset for boolean and negated are more for programmer than end user
	    if (option.presetArg !== undefined && option.optional) {
	      extraInfo.push(`preset: ${JSON.stringify(option.presetArg)}`);
	    }
	    if (option.envVar !== undefined) {
	      extraInfo.push(`env: ${option.envVar}`);
	    }
	    if (extraInfo.length > 0) {
	      const extraDescription = `(${extraInfo.join(', ')})`;
	      if (option.description) {
	        return `${option.description} ${extraDescription}`;
	      }
	      return extraDescription;
	    }

	    return option.description;
	  }

	  /**
	   * Get the argument description to show in the list of arguments.
	   *
	   * @param {Argument} argument
	   * @return {string}
	   */

	  argumentDescription(argument) {
	    const extraInfo = [];
	    if (argument.argChoices) {
	      extraInfo.push(
	        // use stringify to match the display of the default value
	        `choices: ${argument.argChoices.map((choice) => JSON.stringify(choice)).join(', ')}`,
	      );
	    }
	    if (argument.defaultValue !== undefined) {
	      extraInfo.push(
	        `default: ${argument.defaultValueDescription || JSON.stringify(argument.defaultValue)}`,
	      );
	    }
	    if (extraInfo.length > 0) {
	      const extraDescription = `(${extraInfo.join(', ')})`;
	      if (argument.description) {
	        return `${argument.description} ${extraDescription}`;
	      }
	      return extraDescription;
	    }
	    return argument.description;
	  }

	  /**
	   * Format a list of items, given a heading and an array of formatted items.
	   *
	   * @param {string} heading
	   * @param {string[]} items
	   * @param {Help} helper
	   * @returns string[]
	   */
	  formatItemList(heading, items, helper) {
	    if (items.length === 0) return [];

	    return [helper.styleTitle(heading), ...items, ''];
	  }

	  /**
	   * Group items by their help group heading.
	   *
	   * @param {Command[] | Option[]} unsortedItems
	   * @param {Command[] | Option[]} visibleItems
	   * @param {Function} getGroup
	   * @returns {Map<string, Command[] | Option[]>}
	   */
	  groupItems(unsortedItems, visibleItems, getGroup) {
	    const result = new Map();
	    // Add groups in order of appearance in unsortedItems.
	    unsortedItems.forEach((item) => {
	      const group = getGroup(item);
	      if (!result.has(group)) result.set(group, []);
	    });
	    // Add items in order of appearance in visibleItems.
	    visibleItems.forEach((item) => {
	      const group = getGroup(item);
	      if (!result.has(group)) {
	        result.set(group, []);
	      }
	      result.get(group).push(item);
	    });
	    return result;
	  }

	  /**
	   * Generate the built-in help text.
	   *
	   * @param {Command} cmd
	   * @param {Help} helper
	   * @returns {string}
	   */

	  formatHelp(cmd, helper) {
	    const termWidth = helper.padWidth(cmd, helper);
	    const helpWidth = helper.helpWidth ?? 80; // in case prepareContext() was not called

	    function callFormatItem(term, description) {
	      return helper.formatItem(term, termWidth, description, helper);
	    }

	    // Usage
	    let output = [
	      `${helper.styleTitle('Usage:')} ${helper.styleUsage(helper.commandUsage(cmd))}`,
	      '',
	    ];

	    // Description
	    const commandDescription = helper.commandDescription(cmd);
	    if (commandDescription.length > 0) {
	      output = output.concat([
	        helper.boxWrap(
	          helper.styleCommandDescription(commandDescription),
	          helpWidth,
	        ),
	        '',
	      ]);
	    }

	    // Arguments
	    const argumentList = helper.visibleArguments(cmd).map((argument) => {
	      return callFormatItem(
	        helper.styleArgumentTerm(helper.argumentTerm(argument)),
	        helper.styleArgumentDescription(helper.argumentDescription(argument)),
	      );
	    });
	    output = output.concat(
	      this.formatItemList('Arguments:', argumentList, helper),
	    );

	    // Options
	    const optionGroups = this.groupItems(
	      cmd.options,
	      helper.visibleOptions(cmd),
	      (option) => option.helpGroupHeading ?? 'Options:',
	    );
	    optionGroups.forEach((options, group) => {
	      const optionList = options.map((option) => {
	        return callFormatItem(
	          helper.styleOptionTerm(helper.optionTerm(option)),
	          helper.styleOptionDescription(helper.optionDescription(option)),
	        );
	      });
	      output = output.concat(this.formatItemList(group, optionList, helper));
	    });

	    if (helper.showGlobalOptions) {
	      const globalOptionList = helper
	        .visibleGlobalOptions(cmd)
	        .map((option) => {
	          return callFormatItem(
	            helper.styleOptionTerm(helper.optionTerm(option)),
	            helper.styleOptionDescription(helper.optionDescription(option)),
	          );
	        });
	      output = output.concat(
	        this.formatItemList('Global Options:', globalOptionList, helper),
	      );
	    }

	    // Commands
	    const commandGroups = this.groupItems(
	      cmd.commands,
	      helper.visibleCommands(cmd),
	      (sub) => sub.helpGroup() || 'Commands:',
	    );
	    commandGroups.forEach((commands, group) => {
	      const commandList = commands.map((sub) => {
	        return callFormatItem(
	          helper.styleSubcommandTerm(helper.subcommandTerm(sub)),
	          helper.styleSubcommandDescription(helper.subcommandDescription(sub)),
	        );
	      });
	      output = output.concat(this.formatItemList(group, commandList, helper));
	    });

	    return output.join('\n');
	  }

	  /**
	   * Return display width of string, ignoring ANSI escape sequences. Used in padding and wrapping calculations.
	   *
	   * @param {string} str
	   * @returns {number}
	   */
	  displayWidth(str) {
	    return stripColor(str).length;
	  }

	  /**
	   * Style the title for displaying in the help. Called with 'Usage:', 'Options:', etc.
	   *
	   * @param {string} str
	   * @returns {string}
	   */
	  styleTitle(str) {
	    return str;
	  }

	  styleUsage(str) {
	    // Usage has lots of parts the user might like to color separately! Assume default usage string which is formed like:
	    //    command subcommand [options] [command] <foo> [bar]
	    return str
	      .split(' ')
	      .map((word) => {
	        if (word === '[options]') return this.styleOptionText(word);
	        if (word === '[command]') return this.styleSubcommandText(word);
	        if (word[0] === '[' || word[0] === '<')
	          return this.styleArgumentText(word);
	        return this.styleCommandText(word); // Restrict to initial words?
	      })
	      .join(' ');
	  }
	  styleCommandDescription(str) {
	    return this.styleDescriptionText(str);
	  }
	  styleOptionDescription(str) {
	    return this.styleDescriptionText(str);
	  }
	  styleSubcommandDescription(str) {
	    return this.styleDescriptionText(str);
	  }
	  styleArgumentDescription(str) {
	    return this.styleDescriptionText(str);
	  }
	  styleDescriptionText(str) {
	    return str;
	  }
	  styleOptionTerm(str) {
	    return this.styleOptionText(str);
	  }
	  styleSubcommandTerm(str) {
	    // This is very like usage with lots of parts! Assume default string which is formed like:
	    //    subcommand [options] <foo> [bar]
	    return str
	      .split(' ')
	      .map((word) => {
	        if (word === '[options]') return this.styleOptionText(word);
	        if (word[0] === '[' || word[0] === '<')
	          return this.styleArgumentText(word);
	        return this.styleSubcommandText(word); // Restrict to initial words?
	      })
	      .join(' ');
	  }
	  styleArgumentTerm(str) {
	    return this.styleArgumentText(str);
	  }
	  styleOptionText(str) {
	    return str;
	  }
	  styleArgumentText(str) {
	    return str;
	  }
	  styleSubcommandText(str) {
	    return str;
	  }
	  styleCommandText(str) {
	    return str;
	  }

	  /**
	   * Calculate the pad width from the maximum term length.
	   *
	   * @param {Command} cmd
	   * @param {Help} helper
	   * @returns {number}
	   */

	  padWidth(cmd, helper) {
	    return Math.max(
	      helper.longestOptionTermLength(cmd, helper),
	      helper.longestGlobalOptionTermLength(cmd, helper),
	      helper.longestSubcommandTermLength(cmd, helper),
	      helper.longestArgumentTermLength(cmd, helper),
	    );
	  }

	  /**
	   * Detect manually wrapped and indented strings by checking for line break followed by whitespace.
	   *
	   * @param {string} str
	   * @returns {boolean}
	   */
	  preformatted(str) {
	    return /\n[^\S\r\n]/.test(str);
	  }

	  /**
	   * Format the "item", which consists of a term and description. Pad the term and wrap the description, indenting the following lines.
	   *
	   * So "TTT", 5, "DDD DDDD DD DDD" might be formatted for this.helpWidth=17 like so:
	   *   TTT  DDD DDDD
	   *        DD DDD
	   *
	   * @param {string} term
	   * @param {number} termWidth
	   * @param {string} description
	   * @param {Help} helper
	   * @returns {string}
	   */
	  formatItem(term, termWidth, description, helper) {
	    const itemIndent = 2;
	    const itemIndentStr = ' '.repeat(itemIndent);
	    if (!description) return itemIndentStr + term;

	    // Pad the term out to a consistent width, so descriptions are aligned.
	    const paddedTerm = term.padEnd(
	      termWidth + term.length - helper.displayWidth(term),
	    );

	    // Format the description.
	    const spacerWidth = 2; // between term and description
	    const helpWidth = this.helpWidth ?? 80; // in case prepareContext() was not called
	    const remainingWidth = helpWidth - termWidth - spacerWidth - itemIndent;
	    let formattedDescription;
	    if (
	      remainingWidth < this.minWidthToWrap ||
	      helper.preformatted(description)
	    ) {
	      formattedDescription = description;
	    } else {
	      const wrappedDescription = helper.boxWrap(description, remainingWidth);
	      formattedDescription = wrappedDescription.replace(
	        /\n/g,
	        '\n' + ' '.repeat(termWidth + spacerWidth),
	      );
	    }

	    // Construct and overall indent.
	    return (
	      itemIndentStr +
	      paddedTerm +
	      ' '.repeat(spacerWidth) +
	      formattedDescription.replace(/\n/g, `\n${itemIndentStr}`)
	    );
	  }

	  /**
	   * Wrap a string at whitespace, preserving existing line breaks.
	   * Wrapping is skipped if the width is less than `minWidthToWrap`.
	   *
	   * @param {string} str
	   * @param {number} width
	   * @returns {string}
	   */
	  boxWrap(str, width) {
	    if (width < this.minWidthToWrap) return str;

	    const rawLines = str.split(/\r\n|\n/);
	    // split up text by whitespace
	    const chunkPattern = /[\s]*[^\s]+/g;
	    const wrappedLines = [];
	    rawLines.forEach((line) => {
	      const chunks = line.match(chunkPattern);
	      if (chunks === null) {
	        wrappedLines.push('');
	        return;
	      }

	      let sumChunks = [chunks.shift()];
	      let sumWidth = this.displayWidth(sumChunks[0]);
	      chunks.forEach((chunk) => {
	        const visibleWidth = this.displayWidth(chunk);
	        // Accumulate chunks while they fit into width.
	        if (sumWidth + visibleWidth <= width) {
	          sumChunks.push(chunk);
	          sumWidth += visibleWidth;
	          return;
	        }
	        wrappedLines.push(sumChunks.join(''));

	        const nextChunk = chunk.trimStart(); // trim space at line break
	        sumChunks = [nextChunk];
	        sumWidth = this.displayWidth(nextChunk);
	      });
	      wrappedLines.push(sumChunks.join(''));
	    });

	    return wrappedLines.join('\n');
	  }
	}

	/**
	 * Strip style ANSI escape sequences from the string. In particular, SGR (Select Graphic Rendition) codes.
	 *
	 * @param {string} str
	 * @returns {string}
	 * @package
	 */

	function stripColor(str) {
	  // eslint-disable-next-line no-control-regex
	  const sgrPattern = /\x1b\[\d*(;\d*)*m/g;
	  return str.replace(sgrPattern, '');
	}

	help.Help = Help;
	help.stripColor = stripColor;
	return help;
}

var option = {};

var hasRequiredOption;

function requireOption () {
	if (hasRequiredOption) return option;
	hasRequiredOption = 1;
	const { InvalidArgumentError } = requireError();

	class Option {
	  /**
	   * Initialize a new `Option` with the given `flags` and `description`.
	   *
	   * @param {string} flags
	   * @param {string} [description]
	   */

	  constructor(flags, description) {
	    this.flags = flags;
	    this.description = description || '';

	    this.required = flags.includes('<'); // A value must be supplied when the option is specified.
	    this.optional = flags.includes('['); // A value is optional when the option is specified.
	    // variadic test ignores <value,...> et al which might be used to describe custom splitting of single argument
	    this.variadic = /\w\.\.\.[>\]]$/.test(flags); // The option can take multiple values.
	    this.mandatory = false; // The option must have a value after parsing, which usually means it must be specified on command line.
	    const optionFlags = splitOptionFlags(flags);
	    this.short = optionFlags.shortFlag; // May be a short flag, undefined, or even a long flag (if option has two long flags).
	    this.long = optionFlags.longFlag;
	    this.negate = false;
	    if (this.long) {
	      this.negate = this.long.startsWith('--no-');
	    }
	    this.defaultValue = undefined;
	    this.defaultValueDescription = undefined;
	    this.presetArg = undefined;
	    this.envVar = undefined;
	    this.parseArg = undefined;
	    this.hidden = false;
	    this.argChoices = undefined;
	    this.conflictsWith = [];
	    this.implied = undefined;
	    this.helpGroupHeading = undefined; // soft initialised when option added to command
	  }

	  /**
	   * Set the default value, and optionally supply the description to be displayed in the help.
	   *
	   * @param {*} value
	   * @param {string} [description]
	   * @return {Option}
	   */

	  default(value, description) {
	    this.defaultValue = value;
	    this.defaultValueDescription = description;
	    return this;
	  }

	  /**
	   * Preset to use when option used without option-argument, especially optional but also boolean and negated.
	   * The custom processing (parseArg) is called.
	   *
	   * @example
	   * new Option('--color').default('GREYSCALE').preset('RGB');
	   * new Option('--donate [amount]').preset('20').argParser(parseFloat);
	   *
	   * @param {*} arg
	   * @return {Option}
	   */

	  preset(arg) {
	    this.presetArg = arg;
	    return this;
	  }

	  /**
	   * Add option name(s) that conflict with this option.
	   * An error will be displayed if conflicting options are found during parsing.
	   *
	   * @example
	   * new Option('--rgb').conflicts('cmyk');
	   * new Option('--js').conflicts(['ts', 'jsx']);
	   *
	   * @param {(string | string[])} names
	   * @return {Option}
	   */

	  conflicts(names) {
	    this.conflictsWith = this.conflictsWith.concat(names);
	    return this;
	  }

	  /**
	   * Specify implied option values for when this option is set and the implied options are not.
	   *
	   * The custom processing (parseArg) is not called on the implied values.
	   *
	   * @example
	   * program
	   *   .addOption(new Option('--log', 'write logging information to file'))
	   *   .addOption(new Option('--trace', 'log extra details').implies({ log: 'trace.txt' }));
	   *
	   * @param {object} impliedOptionValues
	   * @return {Option}
	   */
	  implies(impliedOptionValues) {
	    let newImplied = impliedOptionValues;
	    if (typeof impliedOptionValues === 'string') {
	      // string is not documented, but easy mistake and we can do what user probably intended.
	      newImplied = { [impliedOptionValues]: true };
	    }
	    this.implied = Object.assign(this.implied || {}, newImplied);
	    return this;
	  }

	  /**
	   * Set environment variable to check for option value.
	   *
	   * An environment variable is only used if when processed the current option value is
	   * undefined, or the source of the current value is 'default' or 'config' or 'env'.
	   *
	   * @param {string} name
	   * @return {Option}
	   */

	  env(name) {
	    this.envVar = name;
	    return this;
	  }

	  /**
	   * Set the custom handler for processing CLI option arguments into option values.
	   *
	   * @param {Function} [fn]
	   * @return {Option}
	   */

	  argParser(fn) {
	    this.parseArg = fn;
	    return this;
	  }

	  /**
	   * Whether the option is mandatory and must have a value after parsing.
	   *
	   * @param {boolean} [mandatory=true]
	   * @return {Option}
	   */

	  makeOptionMandatory(mandatory = true) {
	    this.mandatory = !!mandatory;
	    return this;
	  }

	  /**
	   * Hide option in help.
	   *
	   * @param {boolean} [hide=true]
	   * @return {Option}
	   */

	  hideHelp(hide = true) {
	    this.hidden = !!hide;
	    return this;
	  }

	  /**
	   * @package
	   */

	  _collectValue(value, previous) {
	    if (previous === this.defaultValue || !Array.isArray(previous)) {
	      return [value];
	    }

	    previous.push(value);
	    return previous;
	  }

	  /**
	   * Only allow option value to be one of choices.
	   *
	   * @param {string[]} values
	   * @return {Option}
	   */

	  choices(values) {
	    this.argChoices = values.slice();
	    this.parseArg = (arg, previous) => {
	      if (!this.argChoices.includes(arg)) {
	        throw new InvalidArgumentError(
	          `Allowed choices are ${this.argChoices.join(', ')}.`,
	        );
	      }
	      if (this.variadic) {
	        return this._collectValue(arg, previous);
	      }
	      return arg;
	    };
	    return this;
	  }

	  /**
	   * Return option name.
	   *
	   * @return {string}
	   */

	  name() {
	    if (this.long) {
	      return this.long.replace(/^--/, '');
	    }
	    return this.short.replace(/^-/, '');
	  }

	  /**
	   * Return option name, in a camelcase format that can be used
	   * as an object attribute key.
	   *
	   * @return {string}
	   */

	  attributeName() {
	    if (this.negate) {
	      return camelcase(this.name().replace(/^no-/, ''));
	    }
	    return camelcase(this.name());
	  }

	  /**
	   * Set the help group heading.
	   *
	   * @param {string} heading
	   * @return {Option}
	   */
	  helpGroup(heading) {
	    this.helpGroupHeading = heading;
	    return this;
	  }

	  /**
	   * Check if `arg` matches the short or long flag.
	   *
	   * @param {string} arg
	   * @return {boolean}
	   * @package
	   */

	  is(arg) {
	    return this.short === arg || this.long === arg;
	  }

	  /**
	   * Return whether a boolean option.
	   *
	   * Options are one of boolean, negated, required argument, or optional argument.
	   *
	   * @return {boolean}
	   * @package
	   */

	  isBoolean() {
	    return !this.required && !this.optional && !this.negate;
	  }
	}

	/**
	 * This class is to make it easier to work with dual options, without changing the existing
	 * implementation. We support separate dual options for separate positive and negative options,
	 * like `--build` and `--no-build`, which share a single option value. This works nicely for some
	 * use cases, but is tricky for others where we want separate behaviours despite
	 * the single shared option value.
	 */
	class DualOptions {
	  /**
	   * @param {Option[]} options
	   */
	  constructor(options) {
	    this.positiveOptions = new Map();
	    this.negativeOptions = new Map();
	    this.dualOptions = new Set();
	    options.forEach((option) => {
	      if (option.negate) {
	        this.negativeOptions.set(option.attributeName(), option);
	      } else {
	        this.positiveOptions.set(option.attributeName(), option);
	      }
	    });
	    this.negativeOptions.forEach((value, key) => {
	      if (this.positiveOptions.has(key)) {
	        this.dualOptions.add(key);
	      }
	    });
	  }

	  /**
	   * Did the value come from the option, and not from possible matching dual option?
	   *
	   * @param {*} value
	   * @param {Option} option
	   * @returns {boolean}
	   */
	  valueFromOption(value, option) {
	    const optionKey = option.attributeName();
	    if (!this.dualOptions.has(optionKey)) return true;

	    // Use the value to deduce if (probably) came from the option.
	    const preset = this.negativeOptions.get(optionKey).presetArg;
	    const negativeValue = preset !== undefined ? preset : false;
	    return option.negate === (negativeValue === value);
	  }
	}

	/**
	 * Convert string from kebab-case to camelCase.
	 *
	 * @param {string} str
	 * @return {string}
	 * @private
	 */

	function camelcase(str) {
	  return str.split('-').reduce((str, word) => {
	    return str + word[0].toUpperCase() + word.slice(1);
	  });
	}

	/**
	 * Split the short and long flag out of something like '-m,--mixed <value>'
	 *
	 * @private
	 */

	function splitOptionFlags(flags) {
	  let shortFlag;
	  let longFlag;
	  // short flag, single dash and single character
	  const shortFlagExp = /^-[^-]$/;
	  // long flag, double dash and at least one character
	  const longFlagExp = /^--[^-]/;

	  const flagParts = flags.split(/[ |,]+/).concat('guard');
	  // Normal is short and/or long.
	  if (shortFlagExp.test(flagParts[0])) shortFlag = flagParts.shift();
	  if (longFlagExp.test(flagParts[0])) longFlag = flagParts.shift();
	  // Long then short. Rarely used but fine.
	  if (!shortFlag && shortFlagExp.test(flagParts[0]))
	    shortFlag = flagParts.shift();
	  // Allow two long flags, like '--ws, --workspace'
	  // This is the supported way to have a shortish option flag.
	  if (!shortFlag && longFlagExp.test(flagParts[0])) {
	    shortFlag = longFlag;
	    longFlag = flagParts.shift();
	  }

	  // Check for unprocessed flag. Fail noisily rather than silently ignore.
	  if (flagParts[0].startsWith('-')) {
	    const unsupportedFlag = flagParts[0];
	    const baseError = `option creation failed due to '${unsupportedFlag}' in option flags '${flags}'`;
	    if (/^-[^-][^-]/.test(unsupportedFlag))
	      throw new Error(
	        `${baseError}
- a short flag is a single dash and a single character
  - either use a single dash and a single character (for a short flag)
  - or use a double dash for a long option (and can have two, like '--ws, --workspace')`,
	      );
	    if (shortFlagExp.test(unsupportedFlag))
	      throw new Error(`${baseError}
- too many short flags`);
	    if (longFlagExp.test(unsupportedFlag))
	      throw new Error(`${baseError}
- too many long flags`);

	    throw new Error(`${baseError}
- unrecognised flag format`);
	  }
	  if (shortFlag === undefined && longFlag === undefined)
	    throw new Error(
	      `option creation failed due to no flags found in '${flags}'.`,
	    );

	  return { shortFlag, longFlag };
	}

	option.Option = Option;
	option.DualOptions = DualOptions;
	return option;
}

var suggestSimilar = {};

var hasRequiredSuggestSimilar;

function requireSuggestSimilar () {
	if (hasRequiredSuggestSimilar) return suggestSimilar;
	hasRequiredSuggestSimilar = 1;
	const maxDistance = 3;

	function editDistance(a, b) {
	  // https://en.wikipedia.org/wiki/Damerau–Levenshtein_distance
	  // Calculating optimal string alignment distance, no substring is edited more than once.
	  // (Simple implementation.)

	  // Quick early exit, return worst case.
	  if (Math.abs(a.length - b.length) > maxDistance)
	    return Math.max(a.length, b.length);

	  // distance between prefix substrings of a and b
	  const d = [];

	  // pure deletions turn a into empty string
	  for (let i = 0; i <= a.length; i++) {
	    d[i] = [i];
	  }
	  // pure insertions turn empty string into b
	  for (let j = 0; j <= b.length; j++) {
	    d[0][j] = j;
	  }

	  // fill matrix
	  for (let j = 1; j <= b.length; j++) {
	    for (let i = 1; i <= a.length; i++) {
	      let cost = 1;
	      if (a[i - 1] === b[j - 1]) {
	        cost = 0;
	      } else {
	        cost = 1;
	      }
	      d[i][j] = Math.min(
	        d[i - 1][j] + 1, // deletion
	        d[i][j - 1] + 1, // insertion
	        d[i - 1][j - 1] + cost, // substitution
	      );
	      // transposition
	      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
	        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
	      }
	    }
	  }

	  return d[a.length][b.length];
	}

	/**
	 * Find close matches, restricted to same number of edits.
	 *
	 * @param {string} word
	 * @param {string[]} candidates
	 * @returns {string}
	 */

	function suggestSimilar$1(word, candidates) {
	  if (!candidates || candidates.length === 0) return '';
	  // remove possible duplicates
	  candidates = Array.from(new Set(candidates));

	  const searchingOptions = word.startsWith('--');
	  if (searchingOptions) {
	    word = word.slice(2);
	    candidates = candidates.map((candidate) => candidate.slice(2));
	  }

	  let similar = [];
	  let bestDistance = maxDistance;
	  const minSimilarity = 0.4;
	  candidates.forEach((candidate) => {
	    if (candidate.length <= 1) return; // no one character guesses

	    const distance = editDistance(word, candidate);
	    const length = Math.max(word.length, candidate.length);
	    const similarity = (length - distance) / length;
	    if (similarity > minSimilarity) {
	      if (distance < bestDistance) {
	        // better edit distance, throw away previous worse matches
	        bestDistance = distance;
	        similar = [candidate];
	      } else if (distance === bestDistance) {
	        similar.push(candidate);
	      }
	    }
	  });

	  similar.sort((a, b) => a.localeCompare(b));
	  if (searchingOptions) {
	    similar = similar.map((candidate) => `--${candidate}`);
	  }

	  if (similar.length > 1) {
	    return `\n(Did you mean one of ${similar.join(', ')}?)`;
	  }
	  if (similar.length === 1) {
	    return `\n(Did you mean ${similar[0]}?)`;
	  }
	  return '';
	}

	suggestSimilar.suggestSimilar = suggestSimilar$1;
	return suggestSimilar;
}

var hasRequiredCommand;

function requireCommand () {
	if (hasRequiredCommand) return command;
	hasRequiredCommand = 1;
	const EventEmitter = require$$0.EventEmitter;
	const childProcess = require$$1;
	const path$1 = path;
	const fs$1 = fs;
	const process = process$1;

	const { Argument, humanReadableArgName } = requireArgument();
	const { CommanderError } = requireError();
	const { Help, stripColor } = requireHelp();
	const { Option, DualOptions } = requireOption();
	const { suggestSimilar } = requireSuggestSimilar();

	class Command extends EventEmitter {
	  /**
	   * Initialize a new `Command`.
	   *
	   * @param {string} [name]
	   */

	  constructor(name) {
	    super();
	    /** @type {Command[]} */
	    this.commands = [];
	    /** @type {Option[]} */
	    this.options = [];
	    this.parent = null;
	    this._allowUnknownOption = false;
	    this._allowExcessArguments = false;
	    /** @type {Argument[]} */
	    this.registeredArguments = [];
	    this._args = this.registeredArguments; // deprecated old name
	    /** @type {string[]} */
	    this.args = []; // cli args with options removed
	    this.rawArgs = [];
	    this.processedArgs = []; // like .args but after custom processing and collecting variadic
	    this._scriptPath = null;
	    this._name = name || '';
	    this._optionValues = {};
	    this._optionValueSources = {}; // default, env, cli etc
	    this._storeOptionsAsProperties = false;
	    this._actionHandler = null;
	    this._executableHandler = false;
	    this._executableFile = null; // custom name for executable
	    this._executableDir = null; // custom search directory for subcommands
	    this._defaultCommandName = null;
	    this._exitCallback = null;
	    this._aliases = [];
	    this._combineFlagAndOptionalValue = true;
	    this._description = '';
	    this._summary = '';
	    this._argsDescription = undefined; // legacy
	    this._enablePositionalOptions = false;
	    this._passThroughOptions = false;
	    this._lifeCycleHooks = {}; // a hash of arrays
	    /** @type {(boolean | string)} */
	    this._showHelpAfterError = false;
	    this._showSuggestionAfterError = true;
	    this._savedState = null; // used in save/restoreStateBeforeParse

	    // see configureOutput() for docs
	    this._outputConfiguration = {
	      writeOut: (str) => process.stdout.write(str),
	      writeErr: (str) => process.stderr.write(str),
	      outputError: (str, write) => write(str),
	      getOutHelpWidth: () =>
	        process.stdout.isTTY ? process.stdout.columns : undefined,
	      getErrHelpWidth: () =>
	        process.stderr.isTTY ? process.stderr.columns : undefined,
	      getOutHasColors: () =>
	        useColor() ?? (process.stdout.isTTY && process.stdout.hasColors?.()),
	      getErrHasColors: () =>
	        useColor() ?? (process.stderr.isTTY && process.stderr.hasColors?.()),
	      stripColor: (str) => stripColor(str),
	    };

	    this._hidden = false;
	    /** @type {(Option | null | undefined)} */
	    this._helpOption = undefined; // Lazy created on demand. May be null if help option is disabled.
	    this._addImplicitHelpCommand = undefined; // undecided whether true or false yet, not inherited
	    /** @type {Command} */
	    this._helpCommand = undefined; // lazy initialised, inherited
	    this._helpConfiguration = {};
	    /** @type {string | undefined} */
	    this._helpGroupHeading = undefined; // soft initialised when added to parent
	    /** @type {string | undefined} */
	    this._defaultCommandGroup = undefined;
	    /** @type {string | undefined} */
	    this._defaultOptionGroup = undefined;
	  }

	  /**
	   * Copy settings that are useful to have in common across root command and subcommands.
	   *
	   * (Used internally when adding a command using `.command()` so subcommands inherit parent settings.)
	   *
	   * @param {Command} sourceCommand
	   * @return {Command} `this` command for chaining
	   */
	  copyInheritedSettings(sourceCommand) {
	    this._outputConfiguration = sourceCommand._outputConfiguration;
	    this._helpOption = sourceCommand._helpOption;
	    this._helpCommand = sourceCommand._helpCommand;
	    this._helpConfiguration = sourceCommand._helpConfiguration;
	    this._exitCallback = sourceCommand._exitCallback;
	    this._storeOptionsAsProperties = sourceCommand._storeOptionsAsProperties;
	    this._combineFlagAndOptionalValue =
	      sourceCommand._combineFlagAndOptionalValue;
	    this._allowExcessArguments = sourceCommand._allowExcessArguments;
	    this._enablePositionalOptions = sourceCommand._enablePositionalOptions;
	    this._showHelpAfterError = sourceCommand._showHelpAfterError;
	    this._showSuggestionAfterError = sourceCommand._showSuggestionAfterError;

	    return this;
	  }

	  /**
	   * @returns {Command[]}
	   * @private
	   */

	  _getCommandAndAncestors() {
	    const result = [];
	    // eslint-disable-next-line @typescript-eslint/no-this-alias
	    for (let command = this; command; command = command.parent) {
	      result.push(command);
	    }
	    return result;
	  }

	  /**
	   * Define a command.
	   *
	   * There are two styles of command: pay attention to where to put the description.
	   *
	   * @example
	   * // Command implemented using action handler (description is supplied separately to `.command`)
	   * program
	   *   .command('clone <source> [destination]')
	   *   .description('clone a repository into a newly created directory')
	   *   .action((source, destination) => {
	   *     console.log('clone command called');
	   *   });
	   *
	   * // Command implemented using separate executable file (description is second parameter to `.command`)
	   * program
	   *   .command('start <service>', 'start named service')
	   *   .command('stop [service]', 'stop named service, or all if no name supplied');
	   *
	   * @param {string} nameAndArgs - command name and arguments, args are `<required>` or `[optional]` and last may also be `variadic...`
	   * @param {(object | string)} [actionOptsOrExecDesc] - configuration options (for action), or description (for executable)
	   * @param {object} [execOpts] - configuration options (for executable)
	   * @return {Command} returns new command for action handler, or `this` for executable command
	   */

	  command(nameAndArgs, actionOptsOrExecDesc, execOpts) {
	    let desc = actionOptsOrExecDesc;
	    let opts = execOpts;
	    if (typeof desc === 'object' && desc !== null) {
	      opts = desc;
	      desc = null;
	    }
	    opts = opts || {};
	    const [, name, args] = nameAndArgs.match(/([^ ]+) *(.*)/);

	    const cmd = this.createCommand(name);
	    if (desc) {
	      cmd.description(desc);
	      cmd._executableHandler = true;
	    }
	    if (opts.isDefault) this._defaultCommandName = cmd._name;
	    cmd._hidden = !!(opts.noHelp || opts.hidden); // noHelp is deprecated old name for hidden
	    cmd._executableFile = opts.executableFile || null; // Custom name for executable file, set missing to null to match constructor
	    if (args) cmd.arguments(args);
	    this._registerCommand(cmd);
	    cmd.parent = this;
	    cmd.copyInheritedSettings(this);

	    if (desc) return this;
	    return cmd;
	  }

	  /**
	   * Factory routine to create a new unattached command.
	   *
	   * See .command() for creating an attached subcommand, which uses this routine to
	   * create the command. You can override createCommand to customise subcommands.
	   *
	   * @param {string} [name]
	   * @return {Command} new command
	   */

	  createCommand(name) {
	    return new Command(name);
	  }

	  /**
	   * You can customise the help with a subclass of Help by overriding createHelp,
	   * or by overriding Help properties using configureHelp().
	   *
	   * @return {Help}
	   */

	  createHelp() {
	    return Object.assign(new Help(), this.configureHelp());
	  }

	  /**
	   * You can customise the help by overriding Help properties using configureHelp(),
	   * or with a subclass of Help by overriding createHelp().
	   *
	   * @param {object} [configuration] - configuration options
	   * @return {(Command | object)} `this` command for chaining, or stored configuration
	   */

	  configureHelp(configuration) {
	    if (configuration === undefined) return this._helpConfiguration;

	    this._helpConfiguration = configuration;
	    return this;
	  }

	  /**
	   * The default output goes to stdout and stderr. You can customise this for special
	   * applications. You can also customise the display of errors by overriding outputError.
	   *
	   * The configuration properties are all functions:
	   *
	   *     // change how output being written, defaults to stdout and stderr
	   *     writeOut(str)
	   *     writeErr(str)
	   *     // change how output being written for errors, defaults to writeErr
	   *     outputError(str, write) // used for displaying errors and not used for displaying help
	   *     // specify width for wrapping help
	   *     getOutHelpWidth()
	   *     getErrHelpWidth()
	   *     // color support, currently only used with Help
	   *     getOutHasColors()
	   *     getErrHasColors()
	   *     stripColor() // used to remove ANSI escape codes if output does not have colors
	   *
	   * @param {object} [configuration] - configuration options
	   * @return {(Command | object)} `this` command for chaining, or stored configuration
	   */

	  configureOutput(configuration) {
	    if (configuration === undefined) return this._outputConfiguration;

	    this._outputConfiguration = {
	      ...this._outputConfiguration,
	      ...configuration,
	    };
	    return this;
	  }

	  /**
	   * Display the help or a custom message after an error occurs.
	   *
	   * @param {(boolean|string)} [displayHelp]
	   * @return {Command} `this` command for chaining
	   */
	  showHelpAfterError(displayHelp = true) {
	    if (typeof displayHelp !== 'string') displayHelp = !!displayHelp;
	    this._showHelpAfterError = displayHelp;
	    return this;
	  }

	  /**
	   * Display suggestion of similar commands for unknown commands, or options for unknown options.
	   *
	   * @param {boolean} [displaySuggestion]
	   * @return {Command} `this` command for chaining
	   */
	  showSuggestionAfterError(displaySuggestion = true) {
	    this._showSuggestionAfterError = !!displaySuggestion;
	    return this;
	  }

	  /**
	   * Add a prepared subcommand.
	   *
	   * See .command() for creating an attached subcommand which inherits settings from its parent.
	   *
	   * @param {Command} cmd - new subcommand
	   * @param {object} [opts] - configuration options
	   * @return {Command} `this` command for chaining
	   */

	  addCommand(cmd, opts) {
	    if (!cmd._name) {
	      throw new Error(`Command passed to .addCommand() must have a name
- specify the name in Command constructor or using .name()`);
	    }

	    opts = opts || {};
	    if (opts.isDefault) this._defaultCommandName = cmd._name;
	    if (opts.noHelp || opts.hidden) cmd._hidden = true; // modifying passed command due to existing implementation

	    this._registerCommand(cmd);
	    cmd.parent = this;
	    cmd._checkForBrokenPassThrough();

	    return this;
	  }

	  /**
	   * Factory routine to create a new unattached argument.
	   *
	   * See .argument() for creating an attached argument, which uses this routine to
	   * create the argument. You can override createArgument to return a custom argument.
	   *
	   * @param {string} name
	   * @param {string} [description]
	   * @return {Argument} new argument
	   */

	  createArgument(name, description) {
	    return new Argument(name, description);
	  }

	  /**
	   * Define argument syntax for command.
	   *
	   * The default is that the argument is required, and you can explicitly
	   * indicate this with <> around the name. Put [] around the name for an optional argument.
	   *
	   * @example
	   * program.argument('<input-file>');
	   * program.argument('[output-file]');
	   *
	   * @param {string} name
	   * @param {string} [description]
	   * @param {(Function|*)} [parseArg] - custom argument processing function or default value
	   * @param {*} [defaultValue]
	   * @return {Command} `this` command for chaining
	   */
	  argument(name, description, parseArg, defaultValue) {
	    const argument = this.createArgument(name, description);
	    if (typeof parseArg === 'function') {
	      argument.default(defaultValue).argParser(parseArg);
	    } else {
	      argument.default(parseArg);
	    }
	    this.addArgument(argument);
	    return this;
	  }

	  /**
	   * Define argument syntax for command, adding multiple at once (without descriptions).
	   *
	   * See also .argument().
	   *
	   * @example
	   * program.arguments('<cmd> [env]');
	   *
	   * @param {string} names
	   * @return {Command} `this` command for chaining
	   */

	  arguments(names) {
	    names
	      .trim()
	      .split(/ +/)
	      .forEach((detail) => {
	        this.argument(detail);
	      });
	    return this;
	  }

	  /**
	   * Define argument syntax for command, adding a prepared argument.
	   *
	   * @param {Argument} argument
	   * @return {Command} `this` command for chaining
	   */
	  addArgument(argument) {
	    const previousArgument = this.registeredArguments.slice(-1)[0];
	    if (previousArgument?.variadic) {
	      throw new Error(
	        `only the last argument can be variadic '${previousArgument.name()}'`,
	      );
	    }
	    if (
	      argument.required &&
	      argument.defaultValue !== undefined &&
	      argument.parseArg === undefined
	    ) {
	      throw new Error(
	        `a default value for a required argument is never used: '${argument.name()}'`,
	      );
	    }
	    this.registeredArguments.push(argument);
	    return this;
	  }

	  /**
	   * Customise or override default help command. By default a help command is automatically added if your command has subcommands.
	   *
	   * @example
	   *    program.helpCommand('help [cmd]');
	   *    program.helpCommand('help [cmd]', 'show help');
	   *    program.helpCommand(false); // suppress default help command
	   *    program.helpCommand(true); // add help command even if no subcommands
	   *
	   * @param {string|boolean} enableOrNameAndArgs - enable with custom name and/or arguments, or boolean to override whether added
	   * @param {string} [description] - custom description
	   * @return {Command} `this` command for chaining
	   */

	  helpCommand(enableOrNameAndArgs, description) {
	    if (typeof enableOrNameAndArgs === 'boolean') {
	      this._addImplicitHelpCommand = enableOrNameAndArgs;
	      if (enableOrNameAndArgs && this._defaultCommandGroup) {
	        // make the command to store the group
	        this._initCommandGroup(this._getHelpCommand());
	      }
	      return this;
	    }

	    const nameAndArgs = enableOrNameAndArgs ?? 'help [command]';
	    const [, helpName, helpArgs] = nameAndArgs.match(/([^ ]+) *(.*)/);
	    const helpDescription = description ?? 'display help for command';

	    const helpCommand = this.createCommand(helpName);
	    helpCommand.helpOption(false);
	    if (helpArgs) helpCommand.arguments(helpArgs);
	    if (helpDescription) helpCommand.description(helpDescription);

	    this._addImplicitHelpCommand = true;
	    this._helpCommand = helpCommand;
	    // init group unless lazy create
	    if (enableOrNameAndArgs || description) this._initCommandGroup(helpCommand);

	    return this;
	  }

	  /**
	   * Add prepared custom help command.
	   *
	   * @param {(Command|string|boolean)} helpCommand - custom help command, or deprecated enableOrNameAndArgs as for `.helpCommand()`
	   * @param {string} [deprecatedDescription] - deprecated custom description used with custom name only
	   * @return {Command} `this` command for chaining
	   */
	  addHelpCommand(helpCommand, deprecatedDescription) {
	    // If not passed an object, call through to helpCommand for backwards compatibility,
	    // as addHelpCommand was originally used like helpCommand is now.
	    if (typeof helpCommand !== 'object') {
	      this.helpCommand(helpCommand, deprecatedDescription);
	      return this;
	    }

	    this._addImplicitHelpCommand = true;
	    this._helpCommand = helpCommand;
	    this._initCommandGroup(helpCommand);
	    return this;
	  }

	  /**
	   * Lazy create help command.
	   *
	   * @return {(Command|null)}
	   * @package
	   */
	  _getHelpCommand() {
	    const hasImplicitHelpCommand =
	      this._addImplicitHelpCommand ??
	      (this.commands.length &&
	        !this._actionHandler &&
	        !this._findCommand('help'));

	    if (hasImplicitHelpCommand) {
	      if (this._helpCommand === undefined) {
	        this.helpCommand(undefined, undefined); // use default name and description
	      }
	      return this._helpCommand;
	    }
	    return null;
	  }

	  /**
	   * Add hook for life cycle event.
	   *
	   * @param {string} event
	   * @param {Function} listener
	   * @return {Command} `this` command for chaining
	   */

	  hook(event, listener) {
	    const allowedValues = ['preSubcommand', 'preAction', 'postAction'];
	    if (!allowedValues.includes(event)) {
	      throw new Error(`Unexpected value for event passed to hook : '${event}'.
Expecting one of '${allowedValues.join("', '")}'`);
	    }
	    if (this._lifeCycleHooks[event]) {
	      this._lifeCycleHooks[event].push(listener);
	    } else {
	      this._lifeCycleHooks[event] = [listener];
	    }
	    return this;
	  }

	  /**
	   * Register callback to use as replacement for calling process.exit.
	   *
	   * @param {Function} [fn] optional callback which will be passed a CommanderError, defaults to throwing
	   * @return {Command} `this` command for chaining
	   */

	  exitOverride(fn) {
	    if (fn) {
	      this._exitCallback = fn;
	    } else {
	      this._exitCallback = (err) => {
	        if (err.code !== 'commander.executeSubCommandAsync') {
	          throw err;
	        }
	      };
	    }
	    return this;
	  }

	  /**
	   * Call process.exit, and _exitCallback if defined.
	   *
	   * @param {number} exitCode exit code for using with process.exit
	   * @param {string} code an id string representing the error
	   * @param {string} message human-readable description of the error
	   * @return never
	   * @private
	   */

	  _exit(exitCode, code, message) {
	    if (this._exitCallback) {
	      this._exitCallback(new CommanderError(exitCode, code, message));
	      // Expecting this line is not reached.
	    }
	    process.exit(exitCode);
	  }

	  /**
	   * Register callback `fn` for the command.
	   *
	   * @example
	   * program
	   *   .command('serve')
	   *   .description('start service')
	   *   .action(function() {
	   *      // do work here
	   *   });
	   *
	   * @param {Function} fn
	   * @return {Command} `this` command for chaining
	   */

	  action(fn) {
	    const listener = (args) => {
	      // The .action callback takes an extra parameter which is the command or options.
	      const expectedArgsCount = this.registeredArguments.length;
	      const actionArgs = args.slice(0, expectedArgsCount);
	      if (this._storeOptionsAsProperties) {
	        actionArgs[expectedArgsCount] = this; // backwards compatible "options"
	      } else {
	        actionArgs[expectedArgsCount] = this.opts();
	      }
	      actionArgs.push(this);

	      return fn.apply(this, actionArgs);
	    };
	    this._actionHandler = listener;
	    return this;
	  }

	  /**
	   * Factory routine to create a new unattached option.
	   *
	   * See .option() for creating an attached option, which uses this routine to
	   * create the option. You can override createOption to return a custom option.
	   *
	   * @param {string} flags
	   * @param {string} [description]
	   * @return {Option} new option
	   */

	  createOption(flags, description) {
	    return new Option(flags, description);
	  }

	  /**
	   * Wrap parseArgs to catch 'commander.invalidArgument'.
	   *
	   * @param {(Option | Argument)} target
	   * @param {string} value
	   * @param {*} previous
	   * @param {string} invalidArgumentMessage
	   * @private
	   */

	  _callParseArg(target, value, previous, invalidArgumentMessage) {
	    try {
	      return target.parseArg(value, previous);
	    } catch (err) {
	      if (err.code === 'commander.invalidArgument') {
	        const message = `${invalidArgumentMessage} ${err.message}`;
	        this.error(message, { exitCode: err.exitCode, code: err.code });
	      }
	      throw err;
	    }
	  }

	  /**
	   * Check for option flag conflicts.
	   * Register option if no conflicts found, or throw on conflict.
	   *
	   * @param {Option} option
	   * @private
	   */

	  _registerOption(option) {
	    const matchingOption =
	      (option.short && this._findOption(option.short)) ||
	      (option.long && this._findOption(option.long));
	    if (matchingOption) {
	      const matchingFlag =
	        option.long && this._findOption(option.long)
	          ? option.long
	          : option.short;
	      throw new Error(`Cannot add option '${option.flags}'${this._name && ` to command '${this._name}'`} due to conflicting flag '${matchingFlag}'
-  already used by option '${matchingOption.flags}'`);
	    }

	    this._initOptionGroup(option);
	    this.options.push(option);
	  }

	  /**
	   * Check for command name and alias conflicts with existing commands.
	   * Register command if no conflicts found, or throw on conflict.
	   *
	   * @param {Command} command
	   * @private
	   */

	  _registerCommand(command) {
	    const knownBy = (cmd) => {
	      return [cmd.name()].concat(cmd.aliases());
	    };

	    const alreadyUsed = knownBy(command).find((name) =>
	      this._findCommand(name),
	    );
	    if (alreadyUsed) {
	      const existingCmd = knownBy(this._findCommand(alreadyUsed)).join('|');
	      const newCmd = knownBy(command).join('|');
	      throw new Error(
	        `cannot add command '${newCmd}' as already have command '${existingCmd}'`,
	      );
	    }

	    this._initCommandGroup(command);
	    this.commands.push(command);
	  }

	  /**
	   * Add an option.
	   *
	   * @param {Option} option
	   * @return {Command} `this` command for chaining
	   */
	  addOption(option) {
	    this._registerOption(option);

	    const oname = option.name();
	    const name = option.attributeName();

	    // store default value
	    if (option.negate) {
	      // --no-foo is special and defaults foo to true, unless a --foo option is already defined
	      const positiveLongFlag = option.long.replace(/^--no-/, '--');
	      if (!this._findOption(positiveLongFlag)) {
	        this.setOptionValueWithSource(
	          name,
	          option.defaultValue === undefined ? true : option.defaultValue,
	          'default',
	        );
	      }
	    } else if (option.defaultValue !== undefined) {
	      this.setOptionValueWithSource(name, option.defaultValue, 'default');
	    }

	    // handler for cli and env supplied values
	    const handleOptionValue = (val, invalidValueMessage, valueSource) => {
	      // val is null for optional option used without an optional-argument.
	      // val is undefined for boolean and negated option.
	      if (val == null && option.presetArg !== undefined) {
	        val = option.presetArg;
	      }

	      // custom processing
	      const oldValue = this.getOptionValue(name);
	      if (val !== null && option.parseArg) {
	        val = this._callParseArg(option, val, oldValue, invalidValueMessage);
	      } else if (val !== null && option.variadic) {
	        val = option._collectValue(val, oldValue);
	      }

	      // Fill-in appropriate missing values. Long winded but easy to follow.
	      if (val == null) {
	        if (option.negate) {
	          val = false;
	        } else if (option.isBoolean() || option.optional) {
	          val = true;
	        } else {
	          val = ''; // not normal, parseArg might have failed or be a mock function for testing
	        }
	      }
	      this.setOptionValueWithSource(name, val, valueSource);
	    };

	    this.on('option:' + oname, (val) => {
	      const invalidValueMessage = `error: option '${option.flags}' argument '${val}' is invalid.`;
	      handleOptionValue(val, invalidValueMessage, 'cli');
	    });

	    if (option.envVar) {
	      this.on('optionEnv:' + oname, (val) => {
	        const invalidValueMessage = `error: option '${option.flags}' value '${val}' from env '${option.envVar}' is invalid.`;
	        handleOptionValue(val, invalidValueMessage, 'env');
	      });
	    }

	    return this;
	  }

	  /**
	   * Internal implementation shared by .option() and .requiredOption()
	   *
	   * @return {Command} `this` command for chaining
	   * @private
	   */
	  _optionEx(config, flags, description, fn, defaultValue) {
	    if (typeof flags === 'object' && flags instanceof Option) {
	      throw new Error(
	        'To add an Option object use addOption() instead of option() or requiredOption()',
	      );
	    }
	    const option = this.createOption(flags, description);
	    option.makeOptionMandatory(!!config.mandatory);
	    if (typeof fn === 'function') {
	      option.default(defaultValue).argParser(fn);
	    } else if (fn instanceof RegExp) {
	      // deprecated
	      const regex = fn;
	      fn = (val, def) => {
	        const m = regex.exec(val);
	        return m ? m[0] : def;
	      };
	      option.default(defaultValue).argParser(fn);
	    } else {
	      option.default(fn);
	    }

	    return this.addOption(option);
	  }

	  /**
	   * Define option with `flags`, `description`, and optional argument parsing function or `defaultValue` or both.
	   *
	   * The `flags` string contains the short and/or long flags, separated by comma, a pipe or space. A required
	   * option-argument is indicated by `<>` and an optional option-argument by `[]`.
	   *
	   * See the README for more details, and see also addOption() and requiredOption().
	   *
	   * @example
	   * program
	   *     .option('-p, --pepper', 'add pepper')
	   *     .option('--pt, --pizza-type <TYPE>', 'type of pizza') // required option-argument
	   *     .option('-c, --cheese [CHEESE]', 'add extra cheese', 'mozzarella') // optional option-argument with default
	   *     .option('-t, --tip <VALUE>', 'add tip to purchase cost', parseFloat) // custom parse function
	   *
	   * @param {string} flags
	   * @param {string} [description]
	   * @param {(Function|*)} [parseArg] - custom option processing function or default value
	   * @param {*} [defaultValue]
	   * @return {Command} `this` command for chaining
	   */

	  option(flags, description, parseArg, defaultValue) {
	    return this._optionEx({}, flags, description, parseArg, defaultValue);
	  }

	  /**
	   * Add a required option which must have a value after parsing. This usually means
	   * the option must be specified on the command line. (Otherwise the same as .option().)
	   *
	   * The `flags` string contains the short and/or long flags, separated by comma, a pipe or space.
	   *
	   * @param {string} flags
	   * @param {string} [description]
	   * @param {(Function|*)} [parseArg] - custom option processing function or default value
	   * @param {*} [defaultValue]
	   * @return {Command} `this` command for chaining
	   */

	  requiredOption(flags, description, parseArg, defaultValue) {
	    return this._optionEx(
	      { mandatory: true },
	      flags,
	      description,
	      parseArg,
	      defaultValue,
	    );
	  }

	  /**
	   * Alter parsing of short flags with optional values.
	   *
	   * @example
	   * // for `.option('-f,--flag [value]'):
	   * program.combineFlagAndOptionalValue(true);  // `-f80` is treated like `--flag=80`, this is the default behaviour
	   * program.combineFlagAndOptionalValue(false) // `-fb` is treated like `-f -b`
	   *
	   * @param {boolean} [combine] - if `true` or omitted, an optional value can be specified directly after the flag.
	   * @return {Command} `this` command for chaining
	   */
	  combineFlagAndOptionalValue(combine = true) {
	    this._combineFlagAndOptionalValue = !!combine;
	    return this;
	  }

	  /**
	   * Allow unknown options on the command line.
	   *
	   * @param {boolean} [allowUnknown] - if `true` or omitted, no error will be thrown for unknown options.
	   * @return {Command} `this` command for chaining
	   */
	  allowUnknownOption(allowUnknown = true) {
	    this._allowUnknownOption = !!allowUnknown;
	    return this;
	  }

	  /**
	   * Allow excess command-arguments on the command line. Pass false to make excess arguments an error.
	   *
	   * @param {boolean} [allowExcess] - if `true` or omitted, no error will be thrown for excess arguments.
	   * @return {Command} `this` command for chaining
	   */
	  allowExcessArguments(allowExcess = true) {
	    this._allowExcessArguments = !!allowExcess;
	    return this;
	  }

	  /**
	   * Enable positional options. Positional means global options are specified before subcommands which lets
	   * subcommands reuse the same option names, and also enables subcommands to turn on passThroughOptions.
	   * The default behaviour is non-positional and global options may appear anywhere on the command line.
	   *
	   * @param {boolean} [positional]
	   * @return {Command} `this` command for chaining
	   */
	  enablePositionalOptions(positional = true) {
	    this._enablePositionalOptions = !!positional;
	    return this;
	  }

	  /**
	   * Pass through options that come after command-arguments rather than treat them as command-options,
	   * so actual command-options come before command-arguments. Turning this on for a subcommand requires
	   * positional options to have been enabled on the program (parent commands).
	   * The default behaviour is non-positional and options may appear before or after command-arguments.
	   *
	   * @param {boolean} [passThrough] for unknown options.
	   * @return {Command} `this` command for chaining
	   */
	  passThroughOptions(passThrough = true) {
	    this._passThroughOptions = !!passThrough;
	    this._checkForBrokenPassThrough();
	    return this;
	  }

	  /**
	   * @private
	   */

	  _checkForBrokenPassThrough() {
	    if (
	      this.parent &&
	      this._passThroughOptions &&
	      !this.parent._enablePositionalOptions
	    ) {
	      throw new Error(
	        `passThroughOptions cannot be used for '${this._name}' without turning on enablePositionalOptions for parent command(s)`,
	      );
	    }
	  }

	  /**
	   * Whether to store option values as properties on command object,
	   * or store separately (specify false). In both cases the option values can be accessed using .opts().
	   *
	   * @param {boolean} [storeAsProperties=true]
	   * @return {Command} `this` command for chaining
	   */

	  storeOptionsAsProperties(storeAsProperties = true) {
	    if (this.options.length) {
	      throw new Error('call .storeOptionsAsProperties() before adding options');
	    }
	    if (Object.keys(this._optionValues).length) {
	      throw new Error(
	        'call .storeOptionsAsProperties() before setting option values',
	      );
	    }
	    this._storeOptionsAsProperties = !!storeAsProperties;
	    return this;
	  }

	  /**
	   * Retrieve option value.
	   *
	   * @param {string} key
	   * @return {object} value
	   */

	  getOptionValue(key) {
	    if (this._storeOptionsAsProperties) {
	      return this[key];
	    }
	    return this._optionValues[key];
	  }

	  /**
	   * Store option value.
	   *
	   * @param {string} key
	   * @param {object} value
	   * @return {Command} `this` command for chaining
	   */

	  setOptionValue(key, value) {
	    return this.setOptionValueWithSource(key, value, undefined);
	  }

	  /**
	   * Store option value and where the value came from.
	   *
	   * @param {string} key
	   * @param {object} value
	   * @param {string} source - expected values are default/config/env/cli/implied
	   * @return {Command} `this` command for chaining
	   */

	  setOptionValueWithSource(key, value, source) {
	    if (this._storeOptionsAsProperties) {
	      this[key] = value;
	    } else {
	      this._optionValues[key] = value;
	    }
	    this._optionValueSources[key] = source;
	    return this;
	  }

	  /**
	   * Get source of option value.
	   * Expected values are default | config | env | cli | implied
	   *
	   * @param {string} key
	   * @return {string}
	   */

	  getOptionValueSource(key) {
	    return this._optionValueSources[key];
	  }

	  /**
	   * Get source of option value. See also .optsWithGlobals().
	   * Expected values are default | config | env | cli | implied
	   *
	   * @param {string} key
	   * @return {string}
	   */

	  getOptionValueSourceWithGlobals(key) {
	    // global overwrites local, like optsWithGlobals
	    let source;
	    this._getCommandAndAncestors().forEach((cmd) => {
	      if (cmd.getOptionValueSource(key) !== undefined) {
	        source = cmd.getOptionValueSource(key);
	      }
	    });
	    return source;
	  }

	  /**
	   * Get user arguments from implied or explicit arguments.
	   * Side-effects: set _scriptPath if args included script. Used for default program name, and subcommand searches.
	   *
	   * @private
	   */

	  _prepareUserArgs(argv, parseOptions) {
	    if (argv !== undefined && !Array.isArray(argv)) {
	      throw new Error('first parameter to parse must be array or undefined');
	    }
	    parseOptions = parseOptions || {};

	    // auto-detect argument conventions if nothing supplied
	    if (argv === undefined && parseOptions.from === undefined) {
	      if (process.versions?.electron) {
	        parseOptions.from = 'electron';
	      }
	      // check node specific options for scenarios where user CLI args follow executable without scriptname
	      const execArgv = process.execArgv ?? [];
	      if (
	        execArgv.includes('-e') ||
	        execArgv.includes('--eval') ||
	        execArgv.includes('-p') ||
	        execArgv.includes('--print')
	      ) {
	        parseOptions.from = 'eval'; // internal usage, not documented
	      }
	    }

	    // default to using process.argv
	    if (argv === undefined) {
	      argv = process.argv;
	    }
	    this.rawArgs = argv.slice();

	    // extract the user args and scriptPath
	    let userArgs;
	    switch (parseOptions.from) {
	      case undefined:
	      case 'node':
	        this._scriptPath = argv[1];
	        userArgs = argv.slice(2);
	        break;
	      case 'electron':
	        // @ts-ignore: because defaultApp is an unknown property
	        if (process.defaultApp) {
	          this._scriptPath = argv[1];
	          userArgs = argv.slice(2);
	        } else {
	          userArgs = argv.slice(1);
	        }
	        break;
	      case 'user':
	        userArgs = argv.slice(0);
	        break;
	      case 'eval':
	        userArgs = argv.slice(1);
	        break;
	      default:
	        throw new Error(
	          `unexpected parse option { from: '${parseOptions.from}' }`,
	        );
	    }

	    // Find default name for program from arguments.
	    if (!this._name && this._scriptPath)
	      this.nameFromFilename(this._scriptPath);
	    this._name = this._name || 'program';

	    return userArgs;
	  }

	  /**
	   * Parse `argv`, setting options and invoking commands when defined.
	   *
	   * Use parseAsync instead of parse if any of your action handlers are async.
	   *
	   * Call with no parameters to parse `process.argv`. Detects Electron and special node options like `node --eval`. Easy mode!
	   *
	   * Or call with an array of strings to parse, and optionally where the user arguments start by specifying where the arguments are `from`:
	   * - `'node'`: default, `argv[0]` is the application and `argv[1]` is the script being run, with user arguments after that
	   * - `'electron'`: `argv[0]` is the application and `argv[1]` varies depending on whether the electron application is packaged
	   * - `'user'`: just user arguments
	   *
	   * @example
	   * program.parse(); // parse process.argv and auto-detect electron and special node flags
	   * program.parse(process.argv); // assume argv[0] is app and argv[1] is script
	   * program.parse(my-args, { from: 'user' }); // just user supplied arguments, nothing special about argv[0]
	   *
	   * @param {string[]} [argv] - optional, defaults to process.argv
	   * @param {object} [parseOptions] - optionally specify style of options with from: node/user/electron
	   * @param {string} [parseOptions.from] - where the args are from: 'node', 'user', 'electron'
	   * @return {Command} `this` command for chaining
	   */

	  parse(argv, parseOptions) {
	    this._prepareForParse();
	    const userArgs = this._prepareUserArgs(argv, parseOptions);
	    this._parseCommand([], userArgs);

	    return this;
	  }

	  /**
	   * Parse `argv`, setting options and invoking commands when defined.
	   *
	   * Call with no parameters to parse `process.argv`. Detects Electron and special node options like `node --eval`. Easy mode!
	   *
	   * Or call with an array of strings to parse, and optionally where the user arguments start by specifying where the arguments are `from`:
	   * - `'node'`: default, `argv[0]` is the application and `argv[1]` is the script being run, with user arguments after that
	   * - `'electron'`: `argv[0]` is the application and `argv[1]` varies depending on whether the electron application is packaged
	   * - `'user'`: just user arguments
	   *
	   * @example
	   * await program.parseAsync(); // parse process.argv and auto-detect electron and special node flags
	   * await program.parseAsync(process.argv); // assume argv[0] is app and argv[1] is script
	   * await program.parseAsync(my-args, { from: 'user' }); // just user supplied arguments, nothing special about argv[0]
	   *
	   * @param {string[]} [argv]
	   * @param {object} [parseOptions]
	   * @param {string} parseOptions.from - where the args are from: 'node', 'user', 'electron'
	   * @return {Promise}
	   */

	  async parseAsync(argv, parseOptions) {
	    this._prepareForParse();
	    const userArgs = this._prepareUserArgs(argv, parseOptions);
	    await this._parseCommand([], userArgs);

	    return this;
	  }

	  _prepareForParse() {
	    if (this._savedState === null) {
	      this.saveStateBeforeParse();
	    } else {
	      this.restoreStateBeforeParse();
	    }
	  }

	  /**
	   * Called the first time parse is called to save state and allow a restore before subsequent calls to parse.
	   * Not usually called directly, but available for subclasses to save their custom state.
	   *
	   * This is called in a lazy way. Only commands used in parsing chain will have state saved.
	   */
	  saveStateBeforeParse() {
	    this._savedState = {
	      // name is stable if supplied by author, but may be unspecified for root command and deduced during parsing
	      _name: this._name,
	      // option values before parse have default values (including false for negated options)
	      // shallow clones
	      _optionValues: { ...this._optionValues },
	      _optionValueSources: { ...this._optionValueSources },
	    };
	  }

	  /**
	   * Restore state before parse for calls after the first.
	   * Not usually called directly, but available for subclasses to save their custom state.
	   *
	   * This is called in a lazy way. Only commands used in parsing chain will have state restored.
	   */
	  restoreStateBeforeParse() {
	    if (this._storeOptionsAsProperties)
	      throw new Error(`Can not call parse again when storeOptionsAsProperties is true.
- either make a new Command for each call to parse, or stop storing options as properties`);

	    // clear state from _prepareUserArgs
	    this._name = this._savedState._name;
	    this._scriptPath = null;
	    this.rawArgs = [];
	    // clear state from setOptionValueWithSource
	    this._optionValues = { ...this._savedState._optionValues };
	    this._optionValueSources = { ...this._savedState._optionValueSources };
	    // clear state from _parseCommand
	    this.args = [];
	    // clear state from _processArguments
	    this.processedArgs = [];
	  }

	  /**
	   * Throw if expected executable is missing. Add lots of help for author.
	   *
	   * @param {string} executableFile
	   * @param {string} executableDir
	   * @param {string} subcommandName
	   */
	  _checkForMissingExecutable(executableFile, executableDir, subcommandName) {
	    if (fs$1.existsSync(executableFile)) return;

	    const executableDirMessage = executableDir
	      ? `searched for local subcommand relative to directory '${executableDir}'`
	      : 'no directory for search for local subcommand, use .executableDir() to supply a custom directory';
	    const executableMissing = `'${executableFile}' does not exist
 - if '${subcommandName}' is not meant to be an executable command, remove description parameter from '.command()' and use '.description()' instead
 - if the default executable name is not suitable, use the executableFile option to supply a custom name or path
 - ${executableDirMessage}`;
	    throw new Error(executableMissing);
	  }

	  /**
	   * Execute a sub-command executable.
	   *
	   * @private
	   */

	  _executeSubCommand(subcommand, args) {
	    args = args.slice();
	    let launchWithNode = false; // Use node for source targets so do not need to get permissions correct, and on Windows.
	    const sourceExt = ['.js', '.ts', '.tsx', '.mjs', '.cjs'];

	    function findFile(baseDir, baseName) {
	      // Look for specified file
	      const localBin = path$1.resolve(baseDir, baseName);
	      if (fs$1.existsSync(localBin)) return localBin;

	      // Stop looking if candidate already has an expected extension.
	      if (sourceExt.includes(path$1.extname(baseName))) return undefined;

	      // Try all the extensions.
	      const foundExt = sourceExt.find((ext) =>
	        fs$1.existsSync(`${localBin}${ext}`),
	      );
	      if (foundExt) return `${localBin}${foundExt}`;

	      return undefined;
	    }

	    // Not checking for help first. Unlikely to have mandatory and executable, and can't robustly test for help flags in external command.
	    this._checkForMissingMandatoryOptions();
	    this._checkForConflictingOptions();

	    // executableFile and executableDir might be full path, or just a name
	    let executableFile =
	      subcommand._executableFile || `${this._name}-${subcommand._name}`;
	    let executableDir = this._executableDir || '';
	    if (this._scriptPath) {
	      let resolvedScriptPath; // resolve possible symlink for installed npm binary
	      try {
	        resolvedScriptPath = fs$1.realpathSync(this._scriptPath);
	      } catch {
	        resolvedScriptPath = this._scriptPath;
	      }
	      executableDir = path$1.resolve(
	        path$1.dirname(resolvedScriptPath),
	        executableDir,
	      );
	    }

	    // Look for a local file in preference to a command in PATH.
	    if (executableDir) {
	      let localFile = findFile(executableDir, executableFile);

	      // Legacy search using prefix of script name instead of command name
	      if (!localFile && !subcommand._executableFile && this._scriptPath) {
	        const legacyName = path$1.basename(
	          this._scriptPath,
	          path$1.extname(this._scriptPath),
	        );
	        if (legacyName !== this._name) {
	          localFile = findFile(
	            executableDir,
	            `${legacyName}-${subcommand._name}`,
	          );
	        }
	      }
	      executableFile = localFile || executableFile;
	    }

	    launchWithNode = sourceExt.includes(path$1.extname(executableFile));

	    let proc;
	    if (process.platform !== 'win32') {
	      if (launchWithNode) {
	        args.unshift(executableFile);
	        // add executable arguments to spawn
	        args = incrementNodeInspectorPort(process.execArgv).concat(args);

	        proc = childProcess.spawn(process.argv[0], args, { stdio: 'inherit' });
	      } else {
	        proc = childProcess.spawn(executableFile, args, { stdio: 'inherit' });
	      }
	    } else {
	      this._checkForMissingExecutable(
	        executableFile,
	        executableDir,
	        subcommand._name,
	      );
	      args.unshift(executableFile);
	      // add executable arguments to spawn
	      args = incrementNodeInspectorPort(process.execArgv).concat(args);
	      proc = childProcess.spawn(process.execPath, args, { stdio: 'inherit' });
	    }

	    if (!proc.killed) {
	      // testing mainly to avoid leak warnings during unit tests with mocked spawn
	      const signals = ['SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGINT', 'SIGHUP'];
	      signals.forEach((signal) => {
	        process.on(signal, () => {
	          if (proc.killed === false && proc.exitCode === null) {
	            // @ts-ignore because signals not typed to known strings
	            proc.kill(signal);
	          }
	        });
	      });
	    }

	    // By default terminate process when spawned process terminates.
	    const exitCallback = this._exitCallback;
	    proc.on('close', (code) => {
	      code = code ?? 1; // code is null if spawned process terminated due to a signal
	      if (!exitCallback) {
	        process.exit(code);
	      } else {
	        exitCallback(
	          new CommanderError(
	            code,
	            'commander.executeSubCommandAsync',
	            '(close)',
	          ),
	        );
	      }
	    });
	    proc.on('error', (err) => {
	      // @ts-ignore: because err.code is an unknown property
	      if (err.code === 'ENOENT') {
	        this._checkForMissingExecutable(
	          executableFile,
	          executableDir,
	          subcommand._name,
	        );
	        // @ts-ignore: because err.code is an unknown property
	      } else if (err.code === 'EACCES') {
	        throw new Error(`'${executableFile}' not executable`);
	      }
	      if (!exitCallback) {
	        process.exit(1);
	      } else {
	        const wrappedError = new CommanderError(
	          1,
	          'commander.executeSubCommandAsync',
	          '(error)',
	        );
	        wrappedError.nestedError = err;
	        exitCallback(wrappedError);
	      }
	    });

	    // Store the reference to the child process
	    this.runningCommand = proc;
	  }

	  /**
	   * @private
	   */

	  _dispatchSubcommand(commandName, operands, unknown) {
	    const subCommand = this._findCommand(commandName);
	    if (!subCommand) this.help({ error: true });

	    subCommand._prepareForParse();
	    let promiseChain;
	    promiseChain = this._chainOrCallSubCommandHook(
	      promiseChain,
	      subCommand,
	      'preSubcommand',
	    );
	    promiseChain = this._chainOrCall(promiseChain, () => {
	      if (subCommand._executableHandler) {
	        this._executeSubCommand(subCommand, operands.concat(unknown));
	      } else {
	        return subCommand._parseCommand(operands, unknown);
	      }
	    });
	    return promiseChain;
	  }

	  /**
	   * Invoke help directly if possible, or dispatch if necessary.
	   * e.g. help foo
	   *
	   * @private
	   */

	  _dispatchHelpCommand(subcommandName) {
	    if (!subcommandName) {
	      this.help();
	    }
	    const subCommand = this._findCommand(subcommandName);
	    if (subCommand && !subCommand._executableHandler) {
	      subCommand.help();
	    }

	    // Fallback to parsing the help flag to invoke the help.
	    return this._dispatchSubcommand(
	      subcommandName,
	      [],
	      [this._getHelpOption()?.long ?? this._getHelpOption()?.short ?? '--help'],
	    );
	  }

	  /**
	   * Check this.args against expected this.registeredArguments.
	   *
	   * @private
	   */

	  _checkNumberOfArguments() {
	    // too few
	    this.registeredArguments.forEach((arg, i) => {
	      if (arg.required && this.args[i] == null) {
	        this.missingArgument(arg.name());
	      }
	    });
	    // too many
	    if (
	      this.registeredArguments.length > 0 &&
	      this.registeredArguments[this.registeredArguments.length - 1].variadic
	    ) {
	      return;
	    }
	    if (this.args.length > this.registeredArguments.length) {
	      this._excessArguments(this.args);
	    }
	  }

	  /**
	   * Process this.args using this.registeredArguments and save as this.processedArgs!
	   *
	   * @private
	   */

	  _processArguments() {
	    const myParseArg = (argument, value, previous) => {
	      // Extra processing for nice error message on parsing failure.
	      let parsedValue = value;
	      if (value !== null && argument.parseArg) {
	        const invalidValueMessage = `error: command-argument value '${value}' is invalid for argument '${argument.name()}'.`;
	        parsedValue = this._callParseArg(
	          argument,
	          value,
	          previous,
	          invalidValueMessage,
	        );
	      }
	      return parsedValue;
	    };

	    this._checkNumberOfArguments();

	    const processedArgs = [];
	    this.registeredArguments.forEach((declaredArg, index) => {
	      let value = declaredArg.defaultValue;
	      if (declaredArg.variadic) {
	        // Collect together remaining arguments for passing together as an array.
	        if (index < this.args.length) {
	          value = this.args.slice(index);
	          if (declaredArg.parseArg) {
	            value = value.reduce((processed, v) => {
	              return myParseArg(declaredArg, v, processed);
	            }, declaredArg.defaultValue);
	          }
	        } else if (value === undefined) {
	          value = [];
	        }
	      } else if (index < this.args.length) {
	        value = this.args[index];
	        if (declaredArg.parseArg) {
	          value = myParseArg(declaredArg, value, declaredArg.defaultValue);
	        }
	      }
	      processedArgs[index] = value;
	    });
	    this.processedArgs = processedArgs;
	  }

	  /**
	   * Once we have a promise we chain, but call synchronously until then.
	   *
	   * @param {(Promise|undefined)} promise
	   * @param {Function} fn
	   * @return {(Promise|undefined)}
	   * @private
	   */

	  _chainOrCall(promise, fn) {
	    // thenable
	    if (promise?.then && typeof promise.then === 'function') {
	      // already have a promise, chain callback
	      return promise.then(() => fn());
	    }
	    // callback might return a promise
	    return fn();
	  }

	  /**
	   *
	   * @param {(Promise|undefined)} promise
	   * @param {string} event
	   * @return {(Promise|undefined)}
	   * @private
	   */

	  _chainOrCallHooks(promise, event) {
	    let result = promise;
	    const hooks = [];
	    this._getCommandAndAncestors()
	      .reverse()
	      .filter((cmd) => cmd._lifeCycleHooks[event] !== undefined)
	      .forEach((hookedCommand) => {
	        hookedCommand._lifeCycleHooks[event].forEach((callback) => {
	          hooks.push({ hookedCommand, callback });
	        });
	      });
	    if (event === 'postAction') {
	      hooks.reverse();
	    }

	    hooks.forEach((hookDetail) => {
	      result = this._chainOrCall(result, () => {
	        return hookDetail.callback(hookDetail.hookedCommand, this);
	      });
	    });
	    return result;
	  }

	  /**
	   *
	   * @param {(Promise|undefined)} promise
	   * @param {Command} subCommand
	   * @param {string} event
	   * @return {(Promise|undefined)}
	   * @private
	   */

	  _chainOrCallSubCommandHook(promise, subCommand, event) {
	    let result = promise;
	    if (this._lifeCycleHooks[event] !== undefined) {
	      this._lifeCycleHooks[event].forEach((hook) => {
	        result = this._chainOrCall(result, () => {
	          return hook(this, subCommand);
	        });
	      });
	    }
	    return result;
	  }

	  /**
	   * Process arguments in context of this command.
	   * Returns action result, in case it is a promise.
	   *
	   * @private
	   */

	  _parseCommand(operands, unknown) {
	    const parsed = this.parseOptions(unknown);
	    this._parseOptionsEnv(); // after cli, so parseArg not called on both cli and env
	    this._parseOptionsImplied();
	    operands = operands.concat(parsed.operands);
	    unknown = parsed.unknown;
	    this.args = operands.concat(unknown);

	    if (operands && this._findCommand(operands[0])) {
	      return this._dispatchSubcommand(operands[0], operands.slice(1), unknown);
	    }
	    if (
	      this._getHelpCommand() &&
	      operands[0] === this._getHelpCommand().name()
	    ) {
	      return this._dispatchHelpCommand(operands[1]);
	    }
	    if (this._defaultCommandName) {
	      this._outputHelpIfRequested(unknown); // Run the help for default command from parent rather than passing to default command
	      return this._dispatchSubcommand(
	        this._defaultCommandName,
	        operands,
	        unknown,
	      );
	    }
	    if (
	      this.commands.length &&
	      this.args.length === 0 &&
	      !this._actionHandler &&
	      !this._defaultCommandName
	    ) {
	      // probably missing subcommand and no handler, user needs help (and exit)
	      this.help({ error: true });
	    }

	    this._outputHelpIfRequested(parsed.unknown);
	    this._checkForMissingMandatoryOptions();
	    this._checkForConflictingOptions();

	    // We do not always call this check to avoid masking a "better" error, like unknown command.
	    const checkForUnknownOptions = () => {
	      if (parsed.unknown.length > 0) {
	        this.unknownOption(parsed.unknown[0]);
	      }
	    };

	    const commandEvent = `command:${this.name()}`;
	    if (this._actionHandler) {
	      checkForUnknownOptions();
	      this._processArguments();

	      let promiseChain;
	      promiseChain = this._chainOrCallHooks(promiseChain, 'preAction');
	      promiseChain = this._chainOrCall(promiseChain, () =>
	        this._actionHandler(this.processedArgs),
	      );
	      if (this.parent) {
	        promiseChain = this._chainOrCall(promiseChain, () => {
	          this.parent.emit(commandEvent, operands, unknown); // legacy
	        });
	      }
	      promiseChain = this._chainOrCallHooks(promiseChain, 'postAction');
	      return promiseChain;
	    }
	    if (this.parent?.listenerCount(commandEvent)) {
	      checkForUnknownOptions();
	      this._processArguments();
	      this.parent.emit(commandEvent, operands, unknown); // legacy
	    } else if (operands.length) {
	      if (this._findCommand('*')) {
	        // legacy default command
	        return this._dispatchSubcommand('*', operands, unknown);
	      }
	      if (this.listenerCount('command:*')) {
	        // skip option check, emit event for possible misspelling suggestion
	        this.emit('command:*', operands, unknown);
	      } else if (this.commands.length) {
	        this.unknownCommand();
	      } else {
	        checkForUnknownOptions();
	        this._processArguments();
	      }
	    } else if (this.commands.length) {
	      checkForUnknownOptions();
	      // This command has subcommands and nothing hooked up at this level, so display help (and exit).
	      this.help({ error: true });
	    } else {
	      checkForUnknownOptions();
	      this._processArguments();
	      // fall through for caller to handle after calling .parse()
	    }
	  }

	  /**
	   * Find matching command.
	   *
	   * @private
	   * @return {Command | undefined}
	   */
	  _findCommand(name) {
	    if (!name) return undefined;
	    return this.commands.find(
	      (cmd) => cmd._name === name || cmd._aliases.includes(name),
	    );
	  }

	  /**
	   * Return an option matching `arg` if any.
	   *
	   * @param {string} arg
	   * @return {Option}
	   * @package
	   */

	  _findOption(arg) {
	    return this.options.find((option) => option.is(arg));
	  }

	  /**
	   * Display an error message if a mandatory option does not have a value.
	   * Called after checking for help flags in leaf subcommand.
	   *
	   * @private
	   */

	  _checkForMissingMandatoryOptions() {
	    // Walk up hierarchy so can call in subcommand after checking for displaying help.
	    this._getCommandAndAncestors().forEach((cmd) => {
	      cmd.options.forEach((anOption) => {
	        if (
	          anOption.mandatory &&
	          cmd.getOptionValue(anOption.attributeName()) === undefined
	        ) {
	          cmd.missingMandatoryOptionValue(anOption);
	        }
	      });
	    });
	  }

	  /**
	   * Display an error message if conflicting options are used together in this.
	   *
	   * @private
	   */
	  _checkForConflictingLocalOptions() {
	    const definedNonDefaultOptions = this.options.filter((option) => {
	      const optionKey = option.attributeName();
	      if (this.getOptionValue(optionKey) === undefined) {
	        return false;
	      }
	      return this.getOptionValueSource(optionKey) !== 'default';
	    });

	    const optionsWithConflicting = definedNonDefaultOptions.filter(
	      (option) => option.conflictsWith.length > 0,
	    );

	    optionsWithConflicting.forEach((option) => {
	      const conflictingAndDefined = definedNonDefaultOptions.find((defined) =>
	        option.conflictsWith.includes(defined.attributeName()),
	      );
	      if (conflictingAndDefined) {
	        this._conflictingOption(option, conflictingAndDefined);
	      }
	    });
	  }

	  /**
	   * Display an error message if conflicting options are used together.
	   * Called after checking for help flags in leaf subcommand.
	   *
	   * @private
	   */
	  _checkForConflictingOptions() {
	    // Walk up hierarchy so can call in subcommand after checking for displaying help.
	    this._getCommandAndAncestors().forEach((cmd) => {
	      cmd._checkForConflictingLocalOptions();
	    });
	  }

	  /**
	   * Parse options from `argv` removing known options,
	   * and return argv split into operands and unknown arguments.
	   *
	   * Side effects: modifies command by storing options. Does not reset state if called again.
	   *
	   * Examples:
	   *
	   *     argv => operands, unknown
	   *     --known kkk op => [op], []
	   *     op --known kkk => [op], []
	   *     sub --unknown uuu op => [sub], [--unknown uuu op]
	   *     sub -- --unknown uuu op => [sub --unknown uuu op], []
	   *
	   * @param {string[]} args
	   * @return {{operands: string[], unknown: string[]}}
	   */

	  parseOptions(args) {
	    const operands = []; // operands, not options or values
	    const unknown = []; // first unknown option and remaining unknown args
	    let dest = operands;

	    function maybeOption(arg) {
	      return arg.length > 1 && arg[0] === '-';
	    }

	    const negativeNumberArg = (arg) => {
	      // return false if not a negative number
	      if (!/^-(\d+|\d*\.\d+)(e[+-]?\d+)?$/.test(arg)) return false;
	      // negative number is ok unless digit used as an option in command hierarchy
	      return !this._getCommandAndAncestors().some((cmd) =>
	        cmd.options
	          .map((opt) => opt.short)
	          .some((short) => /^-\d$/.test(short)),
	      );
	    };

	    // parse options
	    let activeVariadicOption = null;
	    let activeGroup = null; // working through group of short options, like -abc
	    let i = 0;
	    while (i < args.length || activeGroup) {
	      const arg = activeGroup ?? args[i++];
	      activeGroup = null;

	      // literal
	      if (arg === '--') {
	        if (dest === unknown) dest.push(arg);
	        dest.push(...args.slice(i));
	        break;
	      }

	      if (
	        activeVariadicOption &&
	        (!maybeOption(arg) || negativeNumberArg(arg))
	      ) {
	        this.emit(`option:${activeVariadicOption.name()}`, arg);
	        continue;
	      }
	      activeVariadicOption = null;

	      if (maybeOption(arg)) {
	        const option = this._findOption(arg);
	        // recognised option, call listener to assign value with possible custom processing
	        if (option) {
	          if (option.required) {
	            const value = args[i++];
	            if (value === undefined) this.optionMissingArgument(option);
	            this.emit(`option:${option.name()}`, value);
	          } else if (option.optional) {
	            let value = null;
	            // historical behaviour is optional value is following arg unless an option
	            if (
	              i < args.length &&
	              (!maybeOption(args[i]) || negativeNumberArg(args[i]))
	            ) {
	              value = args[i++];
	            }
	            this.emit(`option:${option.name()}`, value);
	          } else {
	            // boolean flag
	            this.emit(`option:${option.name()}`);
	          }
	          activeVariadicOption = option.variadic ? option : null;
	          continue;
	        }
	      }

	      // Look for combo options following single dash, eat first one if known.
	      if (arg.length > 2 && arg[0] === '-' && arg[1] !== '-') {
	        const option = this._findOption(`-${arg[1]}`);
	        if (option) {
	          if (
	            option.required ||
	            (option.optional && this._combineFlagAndOptionalValue)
	          ) {
	            // option with value following in same argument
	            this.emit(`option:${option.name()}`, arg.slice(2));
	          } else {
	            // boolean option
	            this.emit(`option:${option.name()}`);
	            // remove the processed option and keep processing group
	            activeGroup = `-${arg.slice(2)}`;
	          }
	          continue;
	        }
	      }

	      // Look for known long flag with value, like --foo=bar
	      if (/^--[^=]+=/.test(arg)) {
	        const index = arg.indexOf('=');
	        const option = this._findOption(arg.slice(0, index));
	        if (option && (option.required || option.optional)) {
	          this.emit(`option:${option.name()}`, arg.slice(index + 1));
	          continue;
	        }
	      }

	      // Not a recognised option by this command.
	      // Might be a command-argument, or subcommand option, or unknown option, or help command or option.

	      // An unknown option means further arguments also classified as unknown so can be reprocessed by subcommands.
	      // A negative number in a leaf command is not an unknown option.
	      if (
	        dest === operands &&
	        maybeOption(arg) &&
	        !(this.commands.length === 0 && negativeNumberArg(arg))
	      ) {
	        dest = unknown;
	      }

	      // If using positionalOptions, stop processing our options at subcommand.
	      if (
	        (this._enablePositionalOptions || this._passThroughOptions) &&
	        operands.length === 0 &&
	        unknown.length === 0
	      ) {
	        if (this._findCommand(arg)) {
	          operands.push(arg);
	          unknown.push(...args.slice(i));
	          break;
	        } else if (
	          this._getHelpCommand() &&
	          arg === this._getHelpCommand().name()
	        ) {
	          operands.push(arg, ...args.slice(i));
	          break;
	        } else if (this._defaultCommandName) {
	          unknown.push(arg, ...args.slice(i));
	          break;
	        }
	      }

	      // If using passThroughOptions, stop processing options at first command-argument.
	      if (this._passThroughOptions) {
	        dest.push(arg, ...args.slice(i));
	        break;
	      }

	      // add arg
	      dest.push(arg);
	    }

	    return { operands, unknown };
	  }

	  /**
	   * Return an object containing local option values as key-value pairs.
	   *
	   * @return {object}
	   */
	  opts() {
	    if (this._storeOptionsAsProperties) {
	      // Preserve original behaviour so backwards compatible when still using properties
	      const result = {};
	      const len = this.options.length;

	      for (let i = 0; i < len; i++) {
	        const key = this.options[i].attributeName();
	        result[key] =
	          key === this._versionOptionName ? this._version : this[key];
	      }
	      return result;
	    }

	    return this._optionValues;
	  }

	  /**
	   * Return an object containing merged local and global option values as key-value pairs.
	   *
	   * @return {object}
	   */
	  optsWithGlobals() {
	    // globals overwrite locals
	    return this._getCommandAndAncestors().reduce(
	      (combinedOptions, cmd) => Object.assign(combinedOptions, cmd.opts()),
	      {},
	    );
	  }

	  /**
	   * Display error message and exit (or call exitOverride).
	   *
	   * @param {string} message
	   * @param {object} [errorOptions]
	   * @param {string} [errorOptions.code] - an id string representing the error
	   * @param {number} [errorOptions.exitCode] - used with process.exit
	   */
	  error(message, errorOptions) {
	    // output handling
	    this._outputConfiguration.outputError(
	      `${message}\n`,
	      this._outputConfiguration.writeErr,
	    );
	    if (typeof this._showHelpAfterError === 'string') {
	      this._outputConfiguration.writeErr(`${this._showHelpAfterError}\n`);
	    } else if (this._showHelpAfterError) {
	      this._outputConfiguration.writeErr('\n');
	      this.outputHelp({ error: true });
	    }

	    // exit handling
	    const config = errorOptions || {};
	    const exitCode = config.exitCode || 1;
	    const code = config.code || 'commander.error';
	    this._exit(exitCode, code, message);
	  }

	  /**
	   * Apply any option related environment variables, if option does
	   * not have a value from cli or client code.
	   *
	   * @private
	   */
	  _parseOptionsEnv() {
	    this.options.forEach((option) => {
	      if (option.envVar && option.envVar in process.env) {
	        const optionKey = option.attributeName();
	        // Priority check. Do not overwrite cli or options from unknown source (client-code).
	        if (
	          this.getOptionValue(optionKey) === undefined ||
	          ['default', 'config', 'env'].includes(
	            this.getOptionValueSource(optionKey),
	          )
	        ) {
	          if (option.required || option.optional) {
	            // option can take a value
	            // keep very simple, optional always takes value
	            this.emit(`optionEnv:${option.name()}`, process.env[option.envVar]);
	          } else {
	            // boolean
	            // keep very simple, only care that envVar defined and not the value
	            this.emit(`optionEnv:${option.name()}`);
	          }
	        }
	      }
	    });
	  }

	  /**
	   * Apply any implied option values, if option is undefined or default value.
	   *
	   * @private
	   */
	  _parseOptionsImplied() {
	    const dualHelper = new DualOptions(this.options);
	    const hasCustomOptionValue = (optionKey) => {
	      return (
	        this.getOptionValue(optionKey) !== undefined &&
	        !['default', 'implied'].includes(this.getOptionValueSource(optionKey))
	      );
	    };
	    this.options
	      .filter(
	        (option) =>
	          option.implied !== undefined &&
	          hasCustomOptionValue(option.attributeName()) &&
	          dualHelper.valueFromOption(
	            this.getOptionValue(option.attributeName()),
	            option,
	          ),
	      )
	      .forEach((option) => {
	        Object.keys(option.implied)
	          .filter((impliedKey) => !hasCustomOptionValue(impliedKey))
	          .forEach((impliedKey) => {
	            this.setOptionValueWithSource(
	              impliedKey,
	              option.implied[impliedKey],
	              'implied',
	            );
	          });
	      });
	  }

	  /**
	   * Argument `name` is missing.
	   *
	   * @param {string} name
	   * @private
	   */

	  missingArgument(name) {
	    const message = `error: missing required argument '${name}'`;
	    this.error(message, { code: 'commander.missingArgument' });
	  }

	  /**
	   * `Option` is missing an argument.
	   *
	   * @param {Option} option
	   * @private
	   */

	  optionMissingArgument(option) {
	    const message = `error: option '${option.flags}' argument missing`;
	    this.error(message, { code: 'commander.optionMissingArgument' });
	  }

	  /**
	   * `Option` does not have a value, and is a mandatory option.
	   *
	   * @param {Option} option
	   * @private
	   */

	  missingMandatoryOptionValue(option) {
	    const message = `error: required option '${option.flags}' not specified`;
	    this.error(message, { code: 'commander.missingMandatoryOptionValue' });
	  }

	  /**
	   * `Option` conflicts with another option.
	   *
	   * @param {Option} option
	   * @param {Option} conflictingOption
	   * @private
	   */
	  _conflictingOption(option, conflictingOption) {
	    // The calling code does not know whether a negated option is the source of the
	    // value, so do some work to take an educated guess.
	    const findBestOptionFromValue = (option) => {
	      const optionKey = option.attributeName();
	      const optionValue = this.getOptionValue(optionKey);
	      const negativeOption = this.options.find(
	        (target) => target.negate && optionKey === target.attributeName(),
	      );
	      const positiveOption = this.options.find(
	        (target) => !target.negate && optionKey === target.attributeName(),
	      );
	      if (
	        negativeOption &&
	        ((negativeOption.presetArg === undefined && optionValue === false) ||
	          (negativeOption.presetArg !== undefined &&
	            optionValue === negativeOption.presetArg))
	      ) {
	        return negativeOption;
	      }
	      return positiveOption || option;
	    };

	    const getErrorMessage = (option) => {
	      const bestOption = findBestOptionFromValue(option);
	      const optionKey = bestOption.attributeName();
	      const source = this.getOptionValueSource(optionKey);
	      if (source === 'env') {
	        return `environment variable '${bestOption.envVar}'`;
	      }
	      return `option '${bestOption.flags}'`;
	    };

	    const message = `error: ${getErrorMessage(option)} cannot be used with ${getErrorMessage(conflictingOption)}`;
	    this.error(message, { code: 'commander.conflictingOption' });
	  }

	  /**
	   * Unknown option `flag`.
	   *
	   * @param {string} flag
	   * @private
	   */

	  unknownOption(flag) {
	    if (this._allowUnknownOption) return;
	    let suggestion = '';

	    if (flag.startsWith('--') && this._showSuggestionAfterError) {
	      // Looping to pick up the global options too
	      let candidateFlags = [];
	      // eslint-disable-next-line @typescript-eslint/no-this-alias
	      let command = this;
	      do {
	        const moreFlags = command
	          .createHelp()
	          .visibleOptions(command)
	          .filter((option) => option.long)
	          .map((option) => option.long);
	        candidateFlags = candidateFlags.concat(moreFlags);
	        command = command.parent;
	      } while (command && !command._enablePositionalOptions);
	      suggestion = suggestSimilar(flag, candidateFlags);
	    }

	    const message = `error: unknown option '${flag}'${suggestion}`;
	    this.error(message, { code: 'commander.unknownOption' });
	  }

	  /**
	   * Excess arguments, more than expected.
	   *
	   * @param {string[]} receivedArgs
	   * @private
	   */

	  _excessArguments(receivedArgs) {
	    if (this._allowExcessArguments) return;

	    const expected = this.registeredArguments.length;
	    const s = expected === 1 ? '' : 's';
	    const forSubcommand = this.parent ? ` for '${this.name()}'` : '';
	    const message = `error: too many arguments${forSubcommand}. Expected ${expected} argument${s} but got ${receivedArgs.length}.`;
	    this.error(message, { code: 'commander.excessArguments' });
	  }

	  /**
	   * Unknown command.
	   *
	   * @private
	   */

	  unknownCommand() {
	    const unknownName = this.args[0];
	    let suggestion = '';

	    if (this._showSuggestionAfterError) {
	      const candidateNames = [];
	      this.createHelp()
	        .visibleCommands(this)
	        .forEach((command) => {
	          candidateNames.push(command.name());
	          // just visible alias
	          if (command.alias()) candidateNames.push(command.alias());
	        });
	      suggestion = suggestSimilar(unknownName, candidateNames);
	    }

	    const message = `error: unknown command '${unknownName}'${suggestion}`;
	    this.error(message, { code: 'commander.unknownCommand' });
	  }

	  /**
	   * Get or set the program version.
	   *
	   * This method auto-registers the "-V, --version" option which will print the version number.
	   *
	   * You can optionally supply the flags and description to override the defaults.
	   *
	   * @param {string} [str]
	   * @param {string} [flags]
	   * @param {string} [description]
	   * @return {(this | string | undefined)} `this` command for chaining, or version string if no arguments
	   */

	  version(str, flags, description) {
	    if (str === undefined) return this._version;
	    this._version = str;
	    flags = flags || '-V, --version';
	    description = description || 'output the version number';
	    const versionOption = this.createOption(flags, description);
	    this._versionOptionName = versionOption.attributeName();
	    this._registerOption(versionOption);

	    this.on('option:' + versionOption.name(), () => {
	      this._outputConfiguration.writeOut(`${str}\n`);
	      this._exit(0, 'commander.version', str);
	    });
	    return this;
	  }

	  /**
	   * Set the description.
	   *
	   * @param {string} [str]
	   * @param {object} [argsDescription]
	   * @return {(string|Command)}
	   */
	  description(str, argsDescription) {
	    if (str === undefined && argsDescription === undefined)
	      return this._description;
	    this._description = str;
	    if (argsDescription) {
	      this._argsDescription = argsDescription;
	    }
	    return this;
	  }

	  /**
	   * Set the summary. Used when listed as subcommand of parent.
	   *
	   * @param {string} [str]
	   * @return {(string|Command)}
	   */
	  summary(str) {
	    if (str === undefined) return this._summary;
	    this._summary = str;
	    return this;
	  }

	  /**
	   * Set an alias for the command.
	   *
	   * You may call more than once to add multiple aliases. Only the first alias is shown in the auto-generated help.
	   *
	   * @param {string} [alias]
	   * @return {(string|Command)}
	   */

	  alias(alias) {
	    if (alias === undefined) return this._aliases[0]; // just return first, for backwards compatibility

	    /** @type {Command} */
	    // eslint-disable-next-line @typescript-eslint/no-this-alias
	    let command = this;
	    if (
	      this.commands.length !== 0 &&
	      this.commands[this.commands.length - 1]._executableHandler
	    ) {
	      // assume adding alias for last added executable subcommand, rather than this
	      command = this.commands[this.commands.length - 1];
	    }

	    if (alias === command._name)
	      throw new Error("Command alias can't be the same as its name");
	    const matchingCommand = this.parent?._findCommand(alias);
	    if (matchingCommand) {
	      // c.f. _registerCommand
	      const existingCmd = [matchingCommand.name()]
	        .concat(matchingCommand.aliases())
	        .join('|');
	      throw new Error(
	        `cannot add alias '${alias}' to command '${this.name()}' as already have command '${existingCmd}'`,
	      );
	    }

	    command._aliases.push(alias);
	    return this;
	  }

	  /**
	   * Set aliases for the command.
	   *
	   * Only the first alias is shown in the auto-generated help.
	   *
	   * @param {string[]} [aliases]
	   * @return {(string[]|Command)}
	   */

	  aliases(aliases) {
	    // Getter for the array of aliases is the main reason for having aliases() in addition to alias().
	    if (aliases === undefined) return this._aliases;

	    aliases.forEach((alias) => this.alias(alias));
	    return this;
	  }

	  /**
	   * Set / get the command usage `str`.
	   *
	   * @param {string} [str]
	   * @return {(string|Command)}
	   */

	  usage(str) {
	    if (str === undefined) {
	      if (this._usage) return this._usage;

	      const args = this.registeredArguments.map((arg) => {
	        return humanReadableArgName(arg);
	      });
	      return []
	        .concat(
	          this.options.length || this._helpOption !== null ? '[options]' : [],
	          this.commands.length ? '[command]' : [],
	          this.registeredArguments.length ? args : [],
	        )
	        .join(' ');
	    }

	    this._usage = str;
	    return this;
	  }

	  /**
	   * Get or set the name of the command.
	   *
	   * @param {string} [str]
	   * @return {(string|Command)}
	   */

	  name(str) {
	    if (str === undefined) return this._name;
	    this._name = str;
	    return this;
	  }

	  /**
	   * Set/get the help group heading for this subcommand in parent command's help.
	   *
	   * @param {string} [heading]
	   * @return {Command | string}
	   */

	  helpGroup(heading) {
	    if (heading === undefined) return this._helpGroupHeading ?? '';
	    this._helpGroupHeading = heading;
	    return this;
	  }

	  /**
	   * Set/get the default help group heading for subcommands added to this command.
	   * (This does not override a group set directly on the subcommand using .helpGroup().)
	   *
	   * @example
	   * program.commandsGroup('Development Commands:);
	   * program.command('watch')...
	   * program.command('lint')...
	   * ...
	   *
	   * @param {string} [heading]
	   * @returns {Command | string}
	   */
	  commandsGroup(heading) {
	    if (heading === undefined) return this._defaultCommandGroup ?? '';
	    this._defaultCommandGroup = heading;
	    return this;
	  }

	  /**
	   * Set/get the default help group heading for options added to this command.
	   * (This does not override a group set directly on the option using .helpGroup().)
	   *
	   * @example
	   * program
	   *   .optionsGroup('Development Options:')
	   *   .option('-d, --debug', 'output extra debugging')
	   *   .option('-p, --profile', 'output profiling information')
	   *
	   * @param {string} [heading]
	   * @returns {Command | string}
	   */
	  optionsGroup(heading) {
	    if (heading === undefined) return this._defaultOptionGroup ?? '';
	    this._defaultOptionGroup = heading;
	    return this;
	  }

	  /**
	   * @param {Option} option
	   * @private
	   */
	  _initOptionGroup(option) {
	    if (this._defaultOptionGroup && !option.helpGroupHeading)
	      option.helpGroup(this._defaultOptionGroup);
	  }

	  /**
	   * @param {Command} cmd
	   * @private
	   */
	  _initCommandGroup(cmd) {
	    if (this._defaultCommandGroup && !cmd.helpGroup())
	      cmd.helpGroup(this._defaultCommandGroup);
	  }

	  /**
	   * Set the name of the command from script filename, such as process.argv[1],
	   * or require.main.filename, or __filename.
	   *
	   * (Used internally and public although not documented in README.)
	   *
	   * @example
	   * program.nameFromFilename(require.main.filename);
	   *
	   * @param {string} filename
	   * @return {Command}
	   */

	  nameFromFilename(filename) {
	    this._name = path$1.basename(filename, path$1.extname(filename));

	    return this;
	  }

	  /**
	   * Get or set the directory for searching for executable subcommands of this command.
	   *
	   * @example
	   * program.executableDir(__dirname);
	   * // or
	   * program.executableDir('subcommands');
	   *
	   * @param {string} [path]
	   * @return {(string|null|Command)}
	   */

	  executableDir(path) {
	    if (path === undefined) return this._executableDir;
	    this._executableDir = path;
	    return this;
	  }

	  /**
	   * Return program help documentation.
	   *
	   * @param {{ error: boolean }} [contextOptions] - pass {error:true} to wrap for stderr instead of stdout
	   * @return {string}
	   */

	  helpInformation(contextOptions) {
	    const helper = this.createHelp();
	    const context = this._getOutputContext(contextOptions);
	    helper.prepareContext({
	      error: context.error,
	      helpWidth: context.helpWidth,
	      outputHasColors: context.hasColors,
	    });
	    const text = helper.formatHelp(this, helper);
	    if (context.hasColors) return text;
	    return this._outputConfiguration.stripColor(text);
	  }

	  /**
	   * @typedef HelpContext
	   * @type {object}
	   * @property {boolean} error
	   * @property {number} helpWidth
	   * @property {boolean} hasColors
	   * @property {function} write - includes stripColor if needed
	   *
	   * @returns {HelpContext}
	   * @private
	   */

	  _getOutputContext(contextOptions) {
	    contextOptions = contextOptions || {};
	    const error = !!contextOptions.error;
	    let baseWrite;
	    let hasColors;
	    let helpWidth;
	    if (error) {
	      baseWrite = (str) => this._outputConfiguration.writeErr(str);
	      hasColors = this._outputConfiguration.getErrHasColors();
	      helpWidth = this._outputConfiguration.getErrHelpWidth();
	    } else {
	      baseWrite = (str) => this._outputConfiguration.writeOut(str);
	      hasColors = this._outputConfiguration.getOutHasColors();
	      helpWidth = this._outputConfiguration.getOutHelpWidth();
	    }
	    const write = (str) => {
	      if (!hasColors) str = this._outputConfiguration.stripColor(str);
	      return baseWrite(str);
	    };
	    return { error, write, hasColors, helpWidth };
	  }

	  /**
	   * Output help information for this command.
	   *
	   * Outputs built-in help, and custom text added using `.addHelpText()`.
	   *
	   * @param {{ error: boolean } | Function} [contextOptions] - pass {error:true} to write to stderr instead of stdout
	   */

	  outputHelp(contextOptions) {
	    let deprecatedCallback;
	    if (typeof contextOptions === 'function') {
	      deprecatedCallback = contextOptions;
	      contextOptions = undefined;
	    }

	    const outputContext = this._getOutputContext(contextOptions);
	    /** @type {HelpTextEventContext} */
	    const eventContext = {
	      error: outputContext.error,
	      write: outputContext.write,
	      command: this,
	    };

	    this._getCommandAndAncestors()
	      .reverse()
	      .forEach((command) => command.emit('beforeAllHelp', eventContext));
	    this.emit('beforeHelp', eventContext);

	    let helpInformation = this.helpInformation({ error: outputContext.error });
	    if (deprecatedCallback) {
	      helpInformation = deprecatedCallback(helpInformation);
	      if (
	        typeof helpInformation !== 'string' &&
	        !Buffer.isBuffer(helpInformation)
	      ) {
	        throw new Error('outputHelp callback must return a string or a Buffer');
	      }
	    }
	    outputContext.write(helpInformation);

	    if (this._getHelpOption()?.long) {
	      this.emit(this._getHelpOption().long); // deprecated
	    }
	    this.emit('afterHelp', eventContext);
	    this._getCommandAndAncestors().forEach((command) =>
	      command.emit('afterAllHelp', eventContext),
	    );
	  }

	  /**
	   * You can pass in flags and a description to customise the built-in help option.
	   * Pass in false to disable the built-in help option.
	   *
	   * @example
	   * program.helpOption('-?, --help' 'show help'); // customise
	   * program.helpOption(false); // disable
	   *
	   * @param {(string | boolean)} flags
	   * @param {string} [description]
	   * @return {Command} `this` command for chaining
	   */

	  helpOption(flags, description) {
	    // Support enabling/disabling built-in help option.
	    if (typeof flags === 'boolean') {
	      if (flags) {
	        if (this._helpOption === null) this._helpOption = undefined; // reenable
	        if (this._defaultOptionGroup) {
	          // make the option to store the group
	          this._initOptionGroup(this._getHelpOption());
	        }
	      } else {
	        this._helpOption = null; // disable
	      }
	      return this;
	    }

	    // Customise flags and description.
	    this._helpOption = this.createOption(
	      flags ?? '-h, --help',
	      description ?? 'display help for command',
	    );
	    // init group unless lazy create
	    if (flags || description) this._initOptionGroup(this._helpOption);

	    return this;
	  }

	  /**
	   * Lazy create help option.
	   * Returns null if has been disabled with .helpOption(false).
	   *
	   * @returns {(Option | null)} the help option
	   * @package
	   */
	  _getHelpOption() {
	    // Lazy create help option on demand.
	    if (this._helpOption === undefined) {
	      this.helpOption(undefined, undefined);
	    }
	    return this._helpOption;
	  }

	  /**
	   * Supply your own option to use for the built-in help option.
	   * This is an alternative to using helpOption() to customise the flags and description etc.
	   *
	   * @param {Option} option
	   * @return {Command} `this` command for chaining
	   */
	  addHelpOption(option) {
	    this._helpOption = option;
	    this._initOptionGroup(option);
	    return this;
	  }

	  /**
	   * Output help information and exit.
	   *
	   * Outputs built-in help, and custom text added using `.addHelpText()`.
	   *
	   * @param {{ error: boolean }} [contextOptions] - pass {error:true} to write to stderr instead of stdout
	   */

	  help(contextOptions) {
	    this.outputHelp(contextOptions);
	    let exitCode = Number(process.exitCode ?? 0); // process.exitCode does allow a string or an integer, but we prefer just a number
	    if (
	      exitCode === 0 &&
	      contextOptions &&
	      typeof contextOptions !== 'function' &&
	      contextOptions.error
	    ) {
	      exitCode = 1;
	    }
	    // message: do not have all displayed text available so only passing placeholder.
	    this._exit(exitCode, 'commander.help', '(outputHelp)');
	  }

	  /**
	   * // Do a little typing to coordinate emit and listener for the help text events.
	   * @typedef HelpTextEventContext
	   * @type {object}
	   * @property {boolean} error
	   * @property {Command} command
	   * @property {function} write
	   */

	  /**
	   * Add additional text to be displayed with the built-in help.
	   *
	   * Position is 'before' or 'after' to affect just this command,
	   * and 'beforeAll' or 'afterAll' to affect this command and all its subcommands.
	   *
	   * @param {string} position - before or after built-in help
	   * @param {(string | Function)} text - string to add, or a function returning a string
	   * @return {Command} `this` command for chaining
	   */

	  addHelpText(position, text) {
	    const allowedValues = ['beforeAll', 'before', 'after', 'afterAll'];
	    if (!allowedValues.includes(position)) {
	      throw new Error(`Unexpected value for position to addHelpText.
Expecting one of '${allowedValues.join("', '")}'`);
	    }

	    const helpEvent = `${position}Help`;
	    this.on(helpEvent, (/** @type {HelpTextEventContext} */ context) => {
	      let helpStr;
	      if (typeof text === 'function') {
	        helpStr = text({ error: context.error, command: context.command });
	      } else {
	        helpStr = text;
	      }
	      // Ignore falsy value when nothing to output.
	      if (helpStr) {
	        context.write(`${helpStr}\n`);
	      }
	    });
	    return this;
	  }

	  /**
	   * Output help information if help flags specified
	   *
	   * @param {Array} args - array of options to search for help flags
	   * @private
	   */

	  _outputHelpIfRequested(args) {
	    const helpOption = this._getHelpOption();
	    const helpRequested = helpOption && args.find((arg) => helpOption.is(arg));
	    if (helpRequested) {
	      this.outputHelp();
	      // (Do not have all displayed text available so only passing placeholder.)
	      this._exit(0, 'commander.helpDisplayed', '(outputHelp)');
	    }
	  }
	}

	/**
	 * Scan arguments and increment port number for inspect calls (to avoid conflicts when spawning new command).
	 *
	 * @param {string[]} args - array of arguments from node.execArgv
	 * @returns {string[]}
	 * @private
	 */

	function incrementNodeInspectorPort(args) {
	  // Testing for these options:
	  //  --inspect[=[host:]port]
	  //  --inspect-brk[=[host:]port]
	  //  --inspect-port=[host:]port
	  return args.map((arg) => {
	    if (!arg.startsWith('--inspect')) {
	      return arg;
	    }
	    let debugOption;
	    let debugHost = '127.0.0.1';
	    let debugPort = '9229';
	    let match;
	    if ((match = arg.match(/^(--inspect(-brk)?)$/)) !== null) {
	      // e.g. --inspect
	      debugOption = match[1];
	    } else if (
	      (match = arg.match(/^(--inspect(-brk|-port)?)=([^:]+)$/)) !== null
	    ) {
	      debugOption = match[1];
	      if (/^\d+$/.test(match[3])) {
	        // e.g. --inspect=1234
	        debugPort = match[3];
	      } else {
	        // e.g. --inspect=localhost
	        debugHost = match[3];
	      }
	    } else if (
	      (match = arg.match(/^(--inspect(-brk|-port)?)=([^:]+):(\d+)$/)) !== null
	    ) {
	      // e.g. --inspect=localhost:1234
	      debugOption = match[1];
	      debugHost = match[3];
	      debugPort = match[4];
	    }

	    if (debugOption && debugPort !== '0') {
	      return `${debugOption}=${debugHost}:${parseInt(debugPort) + 1}`;
	    }
	    return arg;
	  });
	}

	/**
	 * @returns {boolean | undefined}
	 * @package
	 */
	function useColor() {
	  // Test for common conventions.
	  // NB: the observed behaviour is in combination with how author adds color! For example:
	  //   - we do not test NODE_DISABLE_COLORS, but util:styletext does
	  //   - we do test NO_COLOR, but Chalk does not
	  //
	  // References:
	  // https://no-color.org
	  // https://bixense.com/clicolors/
	  // https://github.com/nodejs/node/blob/0a00217a5f67ef4a22384cfc80eb6dd9a917fdc1/lib/internal/tty.js#L109
	  // https://github.com/chalk/supports-color/blob/c214314a14bcb174b12b3014b2b0a8de375029ae/index.js#L33
	  // (https://force-color.org recent web page from 2023, does not match major javascript implementations)

	  if (
	    process.env.NO_COLOR ||
	    process.env.FORCE_COLOR === '0' ||
	    process.env.FORCE_COLOR === 'false'
	  )
	    return false;
	  if (process.env.FORCE_COLOR || process.env.CLICOLOR_FORCE !== undefined)
	    return true;
	  return undefined;
	}

	command.Command = Command;
	command.useColor = useColor; // exporting for tests
	return command;
}

var hasRequiredCommander;

function requireCommander () {
	if (hasRequiredCommander) return commander$1;
	hasRequiredCommander = 1;
	const { Argument } = requireArgument();
	const { Command } = requireCommand();
	const { CommanderError, InvalidArgumentError } = requireError();
	const { Help } = requireHelp();
	const { Option } = requireOption();

	commander$1.program = new Command();

	commander$1.createCommand = (name) => new Command(name);
	commander$1.createOption = (flags, description) => new Option(flags, description);
	commander$1.createArgument = (name, description) => new Argument(name, description);

	/**
	 * Expose classes
	 */

	commander$1.Command = Command;
	commander$1.Option = Option;
	commander$1.Argument = Argument;
	commander$1.Help = Help;

	commander$1.CommanderError = CommanderError;
	commander$1.InvalidArgumentError = InvalidArgumentError;
	commander$1.InvalidOptionArgumentError = InvalidArgumentError; // Deprecated
	return commander$1;
}

var commanderExports = requireCommander();
var commander = /*@__PURE__*/getDefaultExportFromCjs(commanderExports);

// wrapper to provide named exports for ESM.
const {
  program,
  createCommand,
  createArgument,
  createOption,
  CommanderError,
  InvalidArgumentError,
  InvalidOptionArgumentError, // deprecated old name
  Command,
  Argument,
  Option,
  Help,
} = commander;

/**
 * What every command is given and how it ends. The entry reads the environment once and hands
 * each command a `Cli`; a command's action returns its exit code (EXIT in model/constants.ts),
 * and an error it throws ends it with 2 when the command takes that kind for bad input (its own
 * list), else with 3 (the infrastructure, or anything unexpected).
 */
/** How the CLI says why it stopped: a refused write in words, else the error's message. */
const failureLine = (error) => `diverge: ${refusalMessage(error) ?? error.message}\n`;
/**
 * Adds `--quiet` and `--json`, which `action` obeys for every command alike: no progress lines
 * on stderr, and a machine-readable summary on stdout instead of the text.
 */
function withOutputOptions(command) {
    return command
        .option('-q, --quiet', 'no progress lines on stderr (what went wrong is still said)')
        .option('--json', 'print a summary as JSON on stdout instead of the text: {command, exitCode, …} (docs/cli.md)');
}
/**
 * A command's action: `body` returns the exit code, or an Outcome to print; `badInput` are the
 * errors that exit 2. `--quiet` and `--json` (withOutputOptions) are obeyed here: with `--json`
 * stdout holds one JSON document whatever happened, `{command, exitCode, …summary}` or
 * `{command, exitCode, error}`.
 */
function action(cli, badInput, body) {
    return async (...args) => {
        // Commander passes the command itself last.
        const command = args.at(-1);
        const { quiet, json } = command.opts();
        cli.quiet = Boolean(quiet);
        const document = (fields) => {
            // What the disk refused ends the run with 3 (see the entry), whatever the verdict.
            const unwritten = cli.context.unwritten;
            if (unwritten.length > 0)
                cli.exitCode = EXIT.infrastructure;
            const head = { command: command.name(), exitCode: cli.exitCode };
            const tail = unwritten.length > 0 ? { unwritten } : {};
            process.stdout.write(`${JSON.stringify({ ...head, ...fields, ...tail }, null, 2)}\n`);
        };
        try {
            const result = await body(...args);
            if (typeof result === 'number')
                cli.exitCode = result;
            else {
                cli.exitCode = result.exitCode;
                if (json)
                    document(result.summary);
                else
                    process.stdout.write(result.text);
            }
        }
        catch (error) {
            process.stderr.write(failureLine(error));
            cli.exitCode = badInput.some((kind) => error instanceof kind)
                ? EXIT.usage
                : EXIT.infrastructure;
            if (json)
                document({ error: failureLine(error).slice('diverge: '.length).trimEnd() });
        }
    };
}
/** Ends the command's --help with invocations of it, each with what it does. */
function withExamples(command, examples) {
    const lines = examples.map(([invocation, what]) => `  $ ${invocation}\n      ${what}`);
    return command.addHelpText('after', `\nExamples:\n${lines.join('\n')}`);
}
/**
 * A judged report as a command's outcome: the verdicts as the terminal shows them (in colour
 * when stdout takes colours), or its summary: the conclusion, the counts, each divergence, and
 * where the report's files are.
 */
function reportOutcome(cli, report, outDir) {
    return {
        exitCode: reportExitCode(report),
        text: renderTerminal(report, { color: cli.color }),
        summary: {
            conclusion: report.summary.conclusion,
            summary: report.summary,
            candidate: { name: report.candidate.name, digest: report.candidate.digest },
            references: report.references.map((r) => ({
                name: r.name,
                digest: r.digest,
                ...(r.broken === undefined ? {} : { broken: r.broken }),
            })),
            divergences: report.tests
                .filter((t) => isDivergence(t.verdict))
                .map((t) => ({ id: t.id, class: t.verdict.class, failing: t.verdict.failing })),
            files: {
                report: path.join(outDir, 'report.json'),
                markdown: path.join(outDir, 'report.md'),
                html: path.join(outDir, 'report.html'),
                logs: path.join(outDir, 'logs'),
            },
        },
    };
}
/** The exit code of a judged report: 3 when nothing could be judged, 1 when it fails, else 0. */
const reportExitCode = (report) => report.summary.conclusion === 'neutral'
    ? EXIT.infrastructure
    : report.summary.failing > 0
        ? EXIT.divergences
        : EXIT.ok;

/**
 * Validate, then touch: what a command checks of its inputs before it takes --out (and, for run
 * and boot, before it removes an earlier run's files there). A typo in a kernel path, a
 * reference, the config or a --test glob must not cost the user the previous report: every
 * problem found here is said at once, exit 2, with --out as it was.
 *
 * Only what can be known without building, fetching or booting is checked here; the rest (a
 * download, a Docker build, the tests the references report) fails later, as before.
 */
/** Inputs that cannot work (files missing, globs matching nothing), every one named: exit 2. */
class InputError extends Error {
}
const kind = async (file) => {
    const info = await stat(file).catch(() => undefined);
    return info?.isFile() ? 'file' : info?.isDirectory() ? 'dir' : info ? 'other' : undefined;
};
/** A kernel file as the boots will check it (there, readable, an image the arch boots). */
async function kernelFile(problems, settings, name, file) {
    await checkKernel(name, file, settings.machine, settings.harness.tests).catch((error) => problems.push(error.message));
}
/** As the boots will say it: `harness.dir: PATH is not a directory`. */
async function mustBe(problems, what, field, file) {
    if ((await kind(file)) !== what)
        problems.push(`${field}: ${file} is not a ${what === 'dir' ? 'directory' : 'file'}`);
}
/** A Docker build recipe whose context and Dockerfile are there (as docker/context.ts says). */
async function buildRecipe(problems, field, build) {
    if ((await kind(build.context)) !== 'dir')
        problems.push(`${field}.context: ${build.context} is not a directory`);
    else if ((await kind(path.resolve(build.context, build.dockerfile))) !== 'file')
        problems.push(`${field}.dockerfile: no file ${build.dockerfile} in the context ${build.context}`);
}
/** The machine and the harness: firmware, the harness payload, its disks, the expectations. */
async function bootInputs(problems, settings) {
    const { firmware } = settings.machine;
    if (firmware !== 'default' && firmware !== 'none')
        await mustBe(problems, 'file', 'machine.firmware', firmware);
    const { payload, disks } = settings.harness;
    if (payload.kind === 'initrd')
        await mustBe(problems, 'file', 'harness.initrd', payload.path);
    if (payload.kind === 'dir')
        await mustBe(problems, 'dir', 'harness.dir', payload.path);
    if (payload.kind === 'image' && payload.build)
        await buildRecipe(problems, 'harness.image.build', payload.build);
    for (const [i, disk] of disks.entries())
        await mustBe(problems, 'file', `harness.disks[${i}]`, disk.file);
}
async function expectationsFile(problems, settings) {
    await loadExpectations(settings.expectations).catch((error) => problems.push(error.message));
}
/**
 * The references: the flags' kernel files or source directories (with a recipe to build them),
 * else the config's that are files on this host, and a `base: true` that a local run
 * (`run.local`) finds with git.
 */
async function references(problems, settings, flagged, run) {
    const build = settings.kernel?.build;
    if (flagged && flagged.length > 0) {
        for (const r of flagged) {
            if (r.name === CANDIDATE)
                problems.push(`a reference cannot be named "${CANDIDATE}"`);
            else if ((await kind(r.path)) !== 'dir')
                await kernelFile(problems, settings, r.name, r.path);
            // A source directory, built with the recipe (references/resolve.ts).
            else if (!build)
                problems.push(noRecipeFor(r.name, r.path));
            else
                await buildRecipe(problems, 'kernel.build', build);
        }
        return;
    }
    for (const r of settings.references) {
        if (r.source.kind === 'file' && isManyImages(r.source.path))
            await kernelFile(problems, settings, r.name, r.source.path);
        else if (r.source.kind === 'file' && (await kind(r.source.path)) !== 'file')
            problems.push(`reference ${r.name}: no kernel file at ${r.source.path}`);
        if (r.source.kind === 'base' && run?.local && !run.baseSha && build)
            await localBaseOf(r, build.context, run.baseBranch).catch((error) => problems.push(error.message));
    }
}
function verdict(problems) {
    // Once each: a recipe two kernels are built with is checked for both.
    if (problems.length > 0)
        throw new InputError([...new Set(problems)].join('\n'));
}
/** `grading.points` globs, when the harness lists its tests (else checked once they are known). */
function rubric(problems, settings) {
    const tests = settings.harness.tests;
    if (!tests)
        return;
    try {
        checkRubric(settings.grading, tests, settings.configPath);
    }
    catch (error) {
        problems.push(error.message);
    }
}
/**
 * `diverge run`: the candidate (flag, kernel.file or kernel.build), references, harness; with
 * `rubric` (a Gradescope file asked for) the rubric's globs.
 */
async function checkRunInputs(settings, flags) {
    const problems = [];
    const kernel = settings.kernel;
    // A directory is a source tree, built with kernel.build's recipe (references/resolve.ts).
    if (flags.candidate && (await kind(flags.candidate)) === 'dir') {
        if (!kernel?.build)
            problems.push(noRecipeFor(CANDIDATE, flags.candidate));
        else
            await buildRecipe(problems, 'kernel.build', kernel.build);
    }
    else if (flags.candidate)
        await kernelFile(problems, settings, CANDIDATE, flags.candidate);
    else if (!kernel)
        problems.push('no candidate kernel: pass --candidate PATH, or set kernel.build or kernel.file in diverge.yml');
    else if (kernel.file !== undefined) {
        await kernelFile(problems, settings, CANDIDATE, kernel.file);
        for (const [i, extra] of kernel.extra.entries())
            await mustBe(problems, 'file', `kernel.extra[${i}]`, extra);
    }
    else
        await buildRecipe(problems, 'kernel.build', kernel.build);
    await references(problems, settings, flags.references, flags.run);
    await bootInputs(problems, settings);
    await expectationsFile(problems, settings);
    if (flags.rubric)
        rubric(problems, settings);
    verdict(problems);
}
/** `diverge boot`: each kernel file, and the harness. */
async function checkBootInputs(settings, kernels) {
    const problems = [];
    for (const k of kernels)
        await kernelFile(problems, settings, k.name, k.path);
    await bootInputs(problems, settings);
    verdict(problems);
}
/** `diverge grade`: the references (--reference, else the config's), recipe, harness, rubric. */
async function checkGradeInputs(settings, flagged) {
    const problems = [];
    if (settings.kernel?.build)
        await buildRecipe(problems, 'kernel.build', settings.kernel.build);
    await references(problems, settings, flagged);
    await bootInputs(problems, settings);
    await expectationsFile(problems, settings);
    rubric(problems, settings);
    verdict(problems);
}
/**
 * `diverge bisect`: the recipe, the references (--reference, else the config's), the harness,
 * and the --test globs when the harness lists its tests (else they are checked once the
 * references have reported theirs: run/bisect.ts).
 */
async function checkBisectInputs(settings, tests, flagged, goodReference = true) {
    const problems = [];
    if (settings.kernel?.build)
        await buildRecipe(problems, 'kernel.build', settings.kernel.build);
    await references(problems, settings, flagged);
    const names = flagged?.length ? flagged : settings.references;
    if (goodReference && names.some((r) => r.name === GOOD_REFERENCE))
        problems.push(`reference ${GOOD_REFERENCE}: the good revision's kernel is the reference of that name: rename it, or pass --no-good-reference`);
    await bootInputs(problems, settings);
    await expectationsFile(problems, settings);
    if (settings.harness.tests)
        try {
            checkSelection({ tests, classes: [] }, settings.harness.tests);
        }
        catch (error) {
            problems.push(error.message);
        }
    verdict(problems);
}

/**
 * The options and inputs that commands share: NAME=PATH kernels, positive counts, the config,
 * the output directory a command takes, a report file to read, and the kinds of errors that are
 * the user's input rather than the host's.
 */
/** The command line asked for something that cannot be done (exit 2). */
class UsageError extends Error {
}
/** Bad input of every command that boots kernels: the config, kernel files, the harness, builds. */
const BOOT_INPUT_ERRORS = [
    InputError,
    ConfigError,
    NotRegularFileError,
    KernelFileError,
    HarnessError,
    BuildError,
];
/** ...and of every command that also fetches references and writes a report. */
const JUDGE_INPUT_ERRORS = [...BOOT_INPUT_ERRORS, ReferenceFetchError, ReportError];
function kernelOption(value, previous = []) {
    const at = value.indexOf('=');
    if (at <= 0 || at === value.length - 1)
        throw new InvalidArgumentError(`expected NAME=PATH, got "${value}"`);
    return [...previous, { name: value.slice(0, at), path: path.resolve(value.slice(at + 1)) }];
}
/**
 * An option whose value is one of `values`, as --help and the shell completions show it, parsed
 * by `parse` (commander's own choices() would keep only the last of a repeated option).
 */
function optionOf(flags, description, values, parse) {
    const option = new Option(flags, description);
    if (parse)
        option.argParser(parse);
    option.argChoices = [...values];
    return option;
}
function positiveInt(value) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
        throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
    return n;
}
const configOption = () => new Option('-c, --config <file>', 'diverge.yml to use (default: ./diverge.yml when present)');
const jobsOption = (description = 'boots at once (default: from cores and memory)') => new Option('-j, --jobs <n>', description).argParser(positiveInt);
/** `--reference NAME=PATH` of run, grade and bisect (resolved by references/resolve.ts). */
const referenceOption = () => new Option('-r, --reference <name=path>', "a reference: a kernel file, or a source directory built with kernel.build (repeatable; replaces the config's references)").argParser(kernelOption);
const observationCacheOption = () => new Option('--no-observation-cache', 'boot every reference even when an earlier run booted the same kernel the same way');
/** `--config` if given, else diverge.yml in `cwd` if present, else the defaults. */
async function settingsFor(config, cwd) {
    if (config)
        return loadConfig(path.resolve(cwd, config));
    const found = path.join(cwd, 'diverge.yml');
    return existsSync(found) ? loadConfig(found) : defaultSettings(cwd);
}
/**
 * Takes --out for this process (see util/out-dir.ts); `fresh`: without an earlier run's files.
 * Only once every input was checked (./inputs.ts): a typo must not cost an earlier run's files.
 */
async function takeOut(dir, log, fresh = false) {
    const outDir = path.resolve(dir);
    // A file (or anything but a folder) where --out should be is the user's input, not the disk's.
    const found = await lstat(outDir).catch(() => undefined);
    if (found && !found.isDirectory() && !(found.isSymbolicLink() && (await isDirectory(outDir))))
        throw new ConfigError(outDir, [
            {
                path: '--out',
                message: 'is not a directory (a file is there): name a folder for the output',
            },
        ]);
    await claimOutDir(outDir, log);
    if (fresh)
        await clearEarlierRun(outDir, log);
    return outDir;
}
const isDirectory = (file) => stat(file).then((info) => info.isDirectory(), () => false);
/** A report.json, checked against the schema. */
async function readReport(file) {
    return validateReport(await readJsonFile(file, 'report', UsageError), file);
}

/** `diverge bisect`: the first commit whose kernel diverges from the references. */
function classOption(value, previous = []) {
    if (!FAIL_ON_CLASSES.includes(value))
        throw new InvalidArgumentError(`expected one of ${FAIL_ON_CLASSES.join(', ')}, got "${value}"`);
    return [...previous, value];
}
function register$c(program, cli) {
    const command = program
        .command('bisect')
        .description("find the first commit between --good and --bad whose kernel diverges from the references (run in kernel.build.context's git repository); writes bisect.json and bisect.md")
        .addOption(configOption())
        .requiredOption('--good <rev>', 'a commit whose kernel behaves')
        .requiredOption('--bad <rev>', 'a later commit whose kernel diverges')
        .option('-t, --test <glob>', 'only these tests decide (repeatable; default every test)', (value, previous = []) => [...previous, value])
        .addOption(optionOf('--class <class>', "classes that make a commit bad (repeatable; default the config's fail-on)", FAIL_ON_CLASSES, classOption))
        .option('--first-parent', 'follow only the first parent of merges')
        .option('--no-good-reference', "do not add the good commit's kernel to the references")
        .addOption(referenceOption())
        .addOption(jobsOption('commits tested at once in a round (default: the cores)'))
        .option('-o, --out <dir>', 'output directory', DEFAULT_OUT.bisect);
    withOutputOptions(command).action(action(cli, [...JUDGE_INPUT_ERRORS, BisectInputError, SelectionError], async (options) => {
        const settings = await settingsFor(options.config, cli.cwd);
        await checkBisectInputs(settings, options.test ?? [], options.reference, options.goodReference);
        const outDir = await takeOut(options.out, cli.log);
        const { github, run } = githubFromEnvironment(cli.env, { variant: variantOf(settings, undefined) }, cli.log);
        const bisect = await runBisect(cli.context, settings, {
            good: options.good,
            bad: options.bad,
            tests: options.test ?? [],
            ...(options.class ? { classes: options.class } : {}),
            firstParent: Boolean(options.firstParent),
            goodReference: options.goodReference,
            ...(options.reference ? { references: options.reference } : {}),
            ...(options.jobs ? { jobs: options.jobs } : {}),
            outDir,
            docker: cli.docker,
            progress: cli.log,
            run,
            ...(github ? { github } : {}),
        });
        cli.log(`bisect: ${path.join(outDir, 'bisect.json')} and bisect.md; step reports in ${path.join(outDir, 'steps')}`);
        return {
            exitCode: bisect.outcome === 'culprit' ? EXIT.ok : EXIT.usage,
            text: resultText(bisect),
            summary: {
                outcome: bisect.outcome,
                culprit: bisect.culprit,
                tests: bisect.tests.map((t) => ({ id: t.id, class: t.class })),
                undecided: bisect.undecided,
                skipped: bisect.skipped,
                files: {
                    bisect: path.join(outDir, 'bisect.json'),
                    markdown: path.join(outDir, 'bisect.md'),
                    steps: path.join(outDir, 'steps'),
                },
            },
        };
    }));
    return withExamples(command, [
        [
            'diverge bisect --good v1.2 --bad main',
            'the first commit after v1.2 whose kernel diverges, judged by ./diverge.yml; into diverge-bisect/',
        ],
        [
            "diverge bisect -c diverge.yml --good v1.2 --bad main -t 'fs.*' --class crash --first-parent",
            'only crashes of the fs tests decide, along the first parents',
        ],
        [
            'diverge bisect --good HEAD~20 --bad HEAD -j 4 -o bisect/',
            'four commits tested at once in each round',
        ],
    ]);
}

var bisect = /*#__PURE__*/Object.freeze({
  __proto__: null,
  register: register$c
});

/** `diverge boot`: boot kernels with the shared harness, recording each boot. */
function register$b(program, cli) {
    const command = program
        .command('boot')
        .description("boot kernels with the shared harness and write each boot's observations and serial log")
        .addOption(configOption())
        .requiredOption('-k, --kernel <name=path>', 'a kernel to boot (repeatable)', kernelOption)
        .option('-o, --out <dir>', 'output directory', DEFAULT_OUT.run)
        .addOption(jobsOption())
        .action(action(cli, BOOT_INPUT_ERRORS, async (options) => {
        const settings = await settingsFor(options.config, cli.cwd);
        await checkBootInputs(settings, options.kernel);
        const outDir = await takeOut(options.out, cli.log, true);
        const run = await bootKernels(cli.context, settings, options.kernel, {
            outDir,
            docker: cli.docker,
            ...(options.jobs ? { jobs: options.jobs } : {}),
            progress: cli.log,
        });
        await writeOutput(path.join(outDir, 'boots.json'), `${JSON.stringify(run, null, 2)}\n`, 'the saved run');
        cli.log(`observations and logs in ${outDir}`);
        return EXIT.ok;
    }));
    return withExamples(command, [
        [
            'diverge boot -k staff=build/staff.elf -k student=build/kernel.elf',
            "boot both kernels with ./diverge.yml's harness; observations and serial logs in diverge-out/",
        ],
        [
            'diverge boot -c lab2/diverge.yml -k mine=arch/x86/boot/bzImage -o boots/ -j 4',
            'another config, four boots at once, into boots/',
        ],
    ]);
}

var boot = /*#__PURE__*/Object.freeze({
  __proto__: null,
  register: register$b
});

/** `diverge compare`: a saved run judged again, without booting. */
function register$a(program, cli) {
    const command = program
        .command('compare')
        .description('judge a saved run again (after changing the config or expectations) without booting')
        .requiredOption('--from <dir>', 'output directory of an earlier `diverge run` or `diverge boot`')
        .addOption(configOption())
        .option('--candidate <name>', 'which saved kernel is the candidate (default: as saved by run, else "candidate")')
        .option('-o, --out <dir>', 'where to write the new report (default: the --from directory)')
        .option('--variant <name>', 'name of this build variant (default: as for run)');
    withOutputOptions(command).action(action(cli, [ConfigError, SavedRunError, ReportError], async (options) => {
        const settings = await settingsFor(options.config, cli.cwd);
        const from = path.resolve(options.from);
        const saved = path.join(from, 'boots.json');
        // Before --out is taken: a mistyped --from must not be made a directory.
        if (!(await stat(saved).catch(() => undefined))?.isFile())
            throw noSavedRun(saved, from);
        const outDir = await takeOut(options.out ?? options.from, cli.log);
        const report = await compareSaved(cli.context, settings, from, {
            outDir,
            variant: variantOf(settings, options.variant),
            progress: cli.log,
            ...(options.candidate ? { candidate: options.candidate } : {}),
        });
        return reportOutcome(cli, report, outDir);
    }));
    return withExamples(command, [
        [
            'diverge compare --from out/',
            "judge out/'s boots again with ./diverge.yml (after a change to its rules or expectations)",
        ],
        [
            'diverge compare --from boots/ --candidate student -o judged/',
            'a `diverge boot` run, kernel "student" as the candidate, the report in judged/',
        ],
    ]);
}

var compare = /*#__PURE__*/Object.freeze({
  __proto__: null,
  register: register$a
});

/**
 * `diverge completion bash|zsh|fish`: a shell completion script generated from the program
 * itself (every command, subcommand and option, with the values an option takes: a file, a
 * folder, or one of its choices), so it never lags behind the commands.
 */
const SHELLS = ['bash', 'zsh', 'fish'];
/** What a placeholder (`<file>`, `<dirs...>`, `<name=path>`) names. */
function valueOf(placeholder, choices) {
    if (choices)
        return choices;
    const name = (placeholder ?? '').replace(/\.\.\.$/, '');
    if (name === 'dir' || name === 'dirs')
        return 'dir';
    if (name === 'file' || name === 'path' || name.endsWith('.json'))
        return 'file';
    return 'text';
}
function optionSpec(option) {
    const placeholder = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1];
    return {
        flags: [option.short, option.long].filter((f) => f !== undefined),
        description: option.description,
        ...(option.required || option.optional
            ? { value: valueOf(placeholder, option.argChoices) }
            : {}),
    };
}
const HELP = { flags: ['-h', '--help'], description: 'display help for command' };
function commandSpec(command, path) {
    const [arg] = command.registeredArguments;
    return {
        path,
        description: command.description(),
        options: [...command.options.filter((o) => !o.hidden).map(optionSpec), HELP],
        commands: command.commands.map((sub) => commandSpec(sub, [...path, sub.name()])),
        ...(arg ? { args: valueOf(arg.name(), arg.argChoices), argDescription: arg.description } : {}),
    };
}
/** The values a command's positional argument takes, when it has choices (`completion bash`). */
const choices = (spec) => Array.isArray(spec.args) ? spec.args : [];
const flatten = (spec) => [spec, ...spec.commands.flatMap(flatten)];
const key = (spec) => spec.path.join('/');
const header = (shell) => `# ${shell} completion for diverge ${TOOL_VERSION}, generated by \`diverge completion ${shell}\``;
/** One `case` arm per option that takes a value: `'PATH:FLAG'|…) COMPLETE; return ;;`. */
function valueCases(specs, complete) {
    return specs
        .flatMap((s) => s.options.flatMap((o) => {
        if (!o.value)
            return [];
        const cases = o.flags.map((f) => shellQuote(`${key(s)}:${f}`)).join('|');
        return [`    ${cases}) ${complete(o.value, o)}; return ;;`];
    }))
        .join('\n');
}
function bash(root) {
    const specs = flatten(root);
    const levels = specs
        .map((s) => {
        const words = [...s.commands.map((c) => c.path.at(-1)), ...choices(s)].join(' ');
        const opts = s.options.flatMap((o) => o.flags).join(' ');
        const args = typeof s.args === 'string' ? s.args : '';
        return `    ${shellQuote(key(s))}) subs=${shellQuote(words)} opts=${shellQuote(opts)} args=${shellQuote(args)} ;;`;
    })
        .join('\n');
    const values = valueCases(specs, (value) => {
        const reply = value === 'file'
            ? 'compgen -f -- "$cur"'
            : value === 'dir'
                ? 'compgen -d -- "$cur"'
                : value === 'text'
                    ? undefined
                    : `compgen -W ${shellQuote(value.join(' '))} -- "$cur"`;
        return `COMPREPLY=(${reply ? `$(${reply})` : ''})`;
    });
    return `${header('bash')}
# Load it with: source <(diverge completion bash)
_diverge() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local path='' word sub subs opts args i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    _diverge_level
    for sub in $subs; do
      [[ $word == "$sub" ]] && path=\${path:+$path/}$word
    done
  done
  _diverge_level
  case "$path:$prev" in
${values}
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  case $args in
    file) COMPREPLY+=($(compgen -f -- "$cur")) ;;
    dir) COMPREPLY+=($(compgen -d -- "$cur")) ;;
  esac
}
_diverge_level() {
  case $path in
${levels}
    *) subs='' opts='' args='' ;;
  esac
}
complete -o filenames -F _diverge diverge
`;
}
/** `name:description` for zsh's _describe, colons escaped. */
const described = (name, description) => shellQuote(`${name.replaceAll(':', '\\:')}:${description}`);
function zsh(root) {
    const specs = flatten(root);
    const levels = specs
        .map((s) => {
        const subs = [
            ...s.commands.map((c) => described(c.path.at(-1), c.description)),
            ...choices(s).map((choice) => described(choice, s.argDescription ?? '')),
        ];
        const opts = s.options.flatMap((o) => o.flags.map((f) => described(f, o.description)));
        const args = typeof s.args === 'string' ? s.args : '';
        return `    ${shellQuote(key(s))}) subs=(${subs.join(' ')}) opts=(${opts.join(' ')}) args=${shellQuote(args)} ;;`;
    })
        .join('\n');
    const values = valueCases(specs, (value, option) => value === 'file'
        ? '_files'
        : value === 'dir'
            ? '_files -/'
            : value === 'text'
                ? `_message ${shellQuote(option.description)}`
                : `compadd -- ${value.map(shellQuote).join(' ')}`);
    return `#compdef diverge
${header('zsh')}
# Load it with: source <(diverge completion zsh), or save it as _diverge in your $fpath.
_diverge() {
  local cmdpath='' word sub args i
  local -a subs opts
  for ((i = 2; i < CURRENT; i++)); do
    word=$words[i]
    _diverge_level
    for sub in \${subs%%:*}; do
      [[ $word == "$sub" ]] && cmdpath=\${cmdpath:+$cmdpath/}$word
    done
  done
  _diverge_level
  case "$cmdpath:$words[CURRENT-1]" in
${values}
  esac
  if [[ $PREFIX == -* ]]; then
    _describe -t options option opts
    return
  fi
  (( $#subs )) && _describe -t commands command subs
  case $args in
    file) _files ;;
    dir) _files -/ ;;
  esac
}
_diverge_level() {
  case $cmdpath in
${levels}
    *) subs=() opts=() args='' ;;
  esac
}
if [[ $funcstack[1] == _diverge ]]; then _diverge "$@"; else compdef _diverge diverge; fi
`;
}
/** Single-quoted for fish. */
const fq = (text) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
function fish(root) {
    const specs = flatten(root);
    // "/PARENT/WORD" for each command: "//run", "/grade/merge".
    const steps = specs
        .filter((s) => s.path.length > 0)
        .map((s) => fq(`/${s.path.slice(0, -1).join('/')}/${s.path.at(-1)}`));
    const lines = specs.flatMap((s) => {
        const at = `-n ${fq(`test (__diverge_path) = '${key(s)}'`)}`;
        const subs = s.commands.map((c) => `complete -c diverge ${at} -a ${fq(c.path.at(-1))} -d ${fq(c.description)}`);
        const opts = s.options.map((o) => {
            const flags = o.flags
                .map((f) => (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`))
                .join(' ');
            const value = o.value === undefined
                ? ''
                : o.value === 'file'
                    ? ' -r -F'
                    : o.value === 'dir'
                        ? ` -x -a ${fq('(__fish_complete_directories)')}`
                        : o.value === 'text'
                            ? ' -x'
                            : ` -x -a ${fq(o.value.join(' '))}`;
            return `complete -c diverge ${at} ${flags}${value} -d ${fq(o.description)}`;
        });
        const args = s.args === 'file'
            ? [`complete -c diverge ${at} -F`]
            : s.args === 'dir'
                ? [`complete -c diverge ${at} -a ${fq('(__fish_complete_directories)')}`]
                : choices(s).length > 0
                    ? [`complete -c diverge ${at} -a ${fq(choices(s).join(' '))}`]
                    : [];
        return [...subs, ...opts, ...args];
    });
    return `${header('fish')}
# Load it with: diverge completion fish | source, or save it in ~/.config/fish/completions/diverge.fish
function __diverge_path
    set -l path ''
    for word in (commandline -opc)[2..-1]
        switch "/$path/$word"
            case ${steps.join(' ')}
                if test -z "$path"
                    set path $word
                else
                    set path "$path/$word"
                end
        end
    end
    echo $path
end
complete -c diverge -f
${lines.join('\n')}
`;
}
/** The completion script of `program` for `shell`. */
function completionScript(program, shell) {
    const root = commandSpec(program, []);
    return shell === 'bash' ? bash(root) : shell === 'zsh' ? zsh(root) : fish(root);
}
function register$9(program, cli) {
    const command = program
        .command('completion')
        .description('print a completion script for bash, zsh or fish (every command and option)')
        .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
        .action(action(cli, [], async (shell) => {
        process.stdout.write(completionScript(program, shell));
        return 0;
    }));
    return withExamples(command, [
        [
            'diverge completion bash > ~/.local/share/bash-completion/completions/diverge',
            'install it for bash (or put `source <(diverge completion bash)` in ~/.bashrc)',
        ],
        ['diverge completion zsh > "${fpath[1]}/_diverge"', 'install it for zsh'],
        ['diverge completion fish > ~/.config/fish/completions/diverge.fish', 'install it for fish'],
    ]);
}

/**
 * gradebook.html: a whole class at once. Students × tests as a heat map coloured by class,
 * sortable by score or by any test, the score distribution, each student's build and boot in
 * a few words, and each row linking to the student's own report.html when there is one. The
 * same page shows `diverge demo`'s variants (see demo.ts). Its script is client/gradebook.ts.
 */
/** A relative link made only of URL-encoded path segments: never a scheme, never a way out of the page's folder. */
const relativeHref = (...segments) => segments.map((s) => encodeURIComponent(s)).join('/');
/** A path relative to the page as a link, or undefined when it would leave the page's folder. */
function pathHref(file) {
    const segments = file.split('/');
    if (segments.some((s) => s === '' || s === '.' || s === '..'))
        return undefined;
    return relativeHref(...segments);
}
/** A cell shows this many characters of a message; its tooltip MESSAGE_CHARS. */
const STATUS_CHARS = 40;
const MESSAGE_CHARS = 1000;
/** The first `max` characters (code points) of `text`, `…` last when cut. */
function clip(text, max) {
    const chars = [...text];
    return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}
function status(what, ok, message, log, lastLines = []) {
    const href = log === undefined ? undefined : pathHref(log);
    const whole = [message ?? '', ...lastLines].join('\n').trim();
    return {
        text: message ? `${what}: ${clip(message, STATUS_CHARS)}` : what,
        ok,
        ...(whole ? { message: clip(whole, MESSAGE_CHARS + lastLines.length * 500) } : {}),
        ...(href ? { log: href } : {}),
    };
}
/** A build as the page shows it: `built`, `failed: <the message's start…>`; its log linked. */
const buildStatus = (build) => 
// The compiler's last lines under the message, on hover: what a student fixes first.
status(build.outcome, build.outcome !== 'failed', build.message, build.log, build.lastLines);
/** A boot as the page shows it: `completed`, `panic (stage kernel): <message…>`, `not-booted`. */
const bootStatus = (boot) => status(boot.stage && boot.outcome !== 'completed'
    ? `${boot.outcome} (stage ${boot.stage})`
    : boot.outcome, boot.outcome === 'completed', boot.message);
function renderGradebookHtml(gradebook, options = {}) {
    const href = options.reportHref ?? ((s) => relativeHref('students', s.name, 'report.html'));
    const tests = [];
    const seen = new Set();
    for (const student of gradebook.students)
        for (const id of Object.keys(student.tests))
            if (!seen.has(id)) {
                seen.add(id);
                tests.push(id);
            }
    // A class the table does not know (a tampered gradebook's) is listed last.
    const present = new Set(gradebook.students.flatMap((s) => Object.values(s.tests)));
    const classes = [
        ...CLASS_ORDER,
        ...[...present].filter((c) => !CLASS_ORDER.includes(c)).sort(),
    ]
        .filter((c) => present.has(c))
        .map((name) => ({ name, color: classColour(name) }));
    const data = {
        title: options.title ?? 'diverge gradebook',
        noun: options.noun ?? 'student',
        tests,
        classes,
        students: gradebook.students.map((s) => ({
            name: s.name,
            score: s.score,
            max: s.max,
            conclusion: s.conclusion,
            ...(s.reason ? { reason: clip(s.reason, MESSAGE_CHARS) } : {}),
            build: buildStatus(s.build),
            boot: bootStatus(s.boot),
            ...(s.report === null ? {} : { href: href(s) }),
            cells: tests.map((id) => s.tests[id] ?? ''),
        })),
    };
    return htmlPage({
        title: data.title,
        css: GRADEBOOK_CSS,
        script: GRADEBOOK_SCRIPT,
        body: GRADEBOOK_BODY,
        data,
    });
}
const GRADEBOOK_BODY = `<header id="head"></header>
<section id="distribution-section"><h2>Score distribution</h2><div id="distribution"></div></section>
<section id="legend"></section>
<section id="table-section"><table id="book"><thead id="book-head"></thead><tbody id="book-body"></tbody></table></section>`;
const GRADEBOOK_CSS = `
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 16px 24px; color: #1f2328; }
h1 { font-size: 20px; margin: 12px 0 4px; } h2 { font-size: 16px; margin: 12px 0 6px; }
.ctl { color: #cf222e; background: #ffebe9; border-radius: 3px; font-size: 11px; }
.muted { color: #57606a; font-size: 12px; }
#distribution { display: flex; align-items: flex-end; gap: 4px; height: 120px; border-bottom: 1px solid #d0d7de; padding-top: 16px; }
.bin { flex: 1; max-width: 60px; display: flex; flex-direction: column; justify-content: flex-end; align-items: center; height: 100%; font-size: 11px; }
.bar { width: 100%; background: #0969da; border-radius: 3px 3px 0 0; min-height: 1px; }
.bins { display: flex; gap: 4px; font-size: 11px; color: #57606a; }
.bins span { flex: 1; max-width: 60px; text-align: center; }
#legend { margin: 10px 0; }
.cls { display: inline-block; color: #fff; border-radius: 10px; padding: 0 8px; font-size: 12px; line-height: 18px; margin-right: 6px; }
table#book { border-collapse: collapse; font-size: 12.5px; }
#book th, #book td { border: 1px solid #eaeef2; padding: 2px 6px; white-space: nowrap; }
#book th { background: #f6f8fa; position: sticky; top: 0; z-index: 1; }
#book th.test { padding: 4px 2px; line-height: 1.2; writing-mode: vertical-rl; transform: rotate(180deg); max-height: 14em; overflow: hidden; text-overflow: ellipsis; font-family: ui-monospace, Menlo, Consolas, monospace; font-weight: 500; }
#book th button { border: 0; background: none; font: inherit; cursor: pointer; padding: 0; }
#book th[aria-sort] button { text-decoration: underline; }
#book td.heat { width: 22px; min-width: 22px; padding: 0; }
#book .who, #book .why { display: inline-block; max-width: 11em; overflow: hidden; text-overflow: ellipsis; vertical-align: bottom; }
#book td.score { text-align: right; font-variant-numeric: tabular-nums; }
.bad { color: #cf222e; font-weight: 600; }
#book td.status.bad { font-weight: normal; }
#book td.status a.log { font-size: 11px; }
`;

/**
 * Where the project's fixtures are (the repository around this module, whether it runs from src/,
 * from dist/ or from build/bench/) and what they promise: the course's intended verdicts and
 * the Debian kernels set-up fetched. Used by `diverge demo`, the tests and the benchmarks (whose
 * generated courses and histories are in test/helpers/).
 */
/**
 * The repository root: the nearest directory above this module with a package.json (this file
 * runs from src/, bundled in dist/, and bundled into build/bench/).
 */
const REPO_ROOT = (() => {
    let dir = path.dirname(fileURLToPath(import.meta.url));
    while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir)
        dir = path.dirname(dir);
    return dir;
})();
/** Reads `.cache/kernels/manifest.env`, written by scripts/fetch-kernels.sh. */
async function fixtureKernels() {
    const dir = path.join(REPO_ROOT, '.cache', 'kernels');
    const text = await readFile(path.join(dir, 'manifest.env'), 'utf8').catch(() => {
        throw new Error(`no fixture kernels in ${dir}: run scripts/setup.sh first`);
    });
    return Object.fromEntries(text
        .split('\n')
        .map((line) => /^(\w+)=(.+)$/.exec(line.trim()))
        .filter((m) => m !== null)
        .map((m) => [m[1], path.join(dir, m[2])]));
}
/** Builds the Linux fixture harness tree (busybox + the static KTAP program) into `dir`. */
async function buildLinuxHarness(dir, arch = 'x86_64') {
    await promisify(execFile)('bash', [
        path.join(REPO_ROOT, 'fixtures', 'linux', 'build-harness.sh'),
        dir,
        arch,
    ]);
}
/** The fixture course: a teaching kernel, its shared harness and its student variants. */
const COURSE_DIR = path.join(REPO_ROOT, 'fixtures', 'course');
async function courseTruth() {
    return JSON.parse(await readFile(path.join(COURSE_DIR, 'variants.json'), 'utf8'));
}
/** The tests whose verdict differs from what the variant is meant to give, as `test: got X, meant Y`. */
function unintended(report, intended) {
    const meant = new Map();
    for (const [cls, tests] of Object.entries(intended))
        for (const test of tests ?? [])
            meant.set(test, cls);
    const seen = new Set(report.tests.map((t) => t.id));
    const wrong = report.tests
        .filter((t) => t.verdict.class !== (meant.get(t.id) ?? 'same'))
        .map((t) => `${t.id}: got ${t.verdict.class}, meant ${meant.get(t.id) ?? 'same'}`);
    for (const [test, cls] of meant)
        if (!seen.has(test))
            wrong.push(`${test}: not in the report, meant ${cls}`);
    return wrong;
}

/**
 * `diverge demo`: the embedded default (the fixture course built in Docker, every student
 * variant judged against the staff kernels) and the Linux demo. Only wires stages.
 */
/**
 * The course's shared harness (Docker target `harness` of fixtures/course/Dockerfile), taken out
 * of its image into `outDir/harness/harness.bin`; returns that path.
 */
async function buildCourseHarness(context, docker, outDir, log) {
    const kernel = (await loadConfig(path.join(COURSE_DIR, 'diverge.yml'))).kernel;
    if (kernel?.build === undefined)
        throw new Error(`${COURSE_DIR}/diverge.yml: expected kernel.build`);
    log('building the shared harness (Docker target harness of fixtures/course/Dockerfile)');
    const client = await docker.client();
    const harnessImage = await buildImage(client, {
        recipe: { ...kernel.build, target: 'harness', args: {} },
        field: 'harness',
        role: 'harness',
        logFile: path.join(outDir, 'logs', 'build-harness.log'),
        progress: log,
        contextCache: context.cache.contexts,
        clock: context.clock,
    });
    const [harness] = await extractFiles(client, harnessImage.tag, [{ inImage: '/out/harness.bin', field: 'harness' }], path.join(outDir, 'harness'));
    if (!harness)
        throw new Error('the harness image gave no /out/harness.bin');
    return harness.path;
}
/** The names `diverge demo --variant` takes: staff-alt (the first row) and every student variant. */
const demoVariants = (truth) => [
    ...truth.references.slice(1),
    ...Object.keys(truth.variants),
];
/** Refuses a --variant the fixture course does not have, naming those it has. */
function checkDemoVariants(truth, variants) {
    const known = demoVariants(truth);
    for (const variant of variants)
        if (!known.includes(variant))
            throw new KernelFileError(`no variant "${variant}" in the fixture course (variants: ${known.join(', ')})`);
}
/**
 * The embedded default: builds the harness and every kernel variant of the fixture course in
 * Docker, then judges each variant against the staff kernels, writing each report under
 * `outDir/<variant>/`. The first row is staff-alt against staff alone: two correct kernels must
 * not diverge.
 */
async function runCourseDemo(context, outDir, options) {
    const { docker, log } = options;
    const truth = await courseTruth();
    const base = await loadConfig(path.join(COURSE_DIR, 'diverge.yml'));
    const kernel = base.kernel;
    if (kernel?.build === undefined)
        throw new Error(`${base.configPath}: expected kernel.build`);
    checkDemoVariants(truth, options.variants ?? []);
    // staff-alt (the second staff kernel) is judged against staff alone in the first row, always.
    const variants = (options.variants ?? Object.keys(truth.variants)).filter((v) => !truth.references.includes(v));
    const harness = await buildCourseHarness(context, docker, outDir, log);
    const settings = {
        ...base,
        harness: { ...base.harness, payload: { kind: 'initrd', path: harness } },
    };
    const built = new Map();
    for (const variant of [...truth.references, ...variants]) {
        log(`building kernel variant ${variant}`);
        const result = await buildKernel(docker, kernel, {
            variant,
            outDir: path.join(outDir, variant),
            progress: log,
            contextCache: context.cache.contexts,
            clock: context.clock,
        });
        built.set(variant, {
            name: variant,
            path: result.kernel.path,
            digest: result.kernel.digest,
            source: { build: { context: 'fixtures/course', variant }, image: result.image.tag },
        });
    }
    const as = (name, variant) => ({
        ...built.get(variant),
        name,
    });
    const [first, ...others] = truth.references;
    const judged = [
        ...(first && others[0] ? [{ variant: others[0], references: [first] }] : []),
        ...variants.map((variant) => ({ variant, references: truth.references })),
    ];
    const rows = [];
    for (const { variant, references } of judged) {
        log(`judging ${variant} against ${references.join(' and ')}`);
        const { report } = await evaluateOne(context, settings, { candidate: as('candidate', variant), references: references.map((r) => as(r, r)) }, {
            outDir: path.join(outDir, variant),
            variant,
            docker,
            progress: (line) => log(`${variant}: ${line}`),
            ...(options.jobs ? { jobs: options.jobs } : {}),
        });
        const wrong = unintended(report, truth.variants[variant] ?? {});
        rows.push({ variant, report, unintended: wrong, note: wrong.length ? 'NO' : 'yes' });
    }
    await writeFile(path.join(outDir, 'overview.html'), renderGradebookHtml(demoGradebook(rows), {
        title: 'diverge demo: the fixture course',
        noun: 'variant',
        reportHref: (variant) => relativeHref(variant.name, 'report.html'),
    }));
    await writeFile(path.join(outDir, 'summary.md'), `# diverge demo: the fixture course\n\nEach variant judged against ${truth.references.join(' and ')} (staff-alt against staff alone).\n\n${renderMatrixMarkdown(rows, 'as intended')}`);
    return rows;
}
/**
 * The demo's variants as gradebook rows, so that one page shows both: a variant's score is the
 * number of its tests that do not diverge; its boot is how the candidate's first boot ended.
 */
function demoGradebook(rows) {
    return {
        students: rows.map(({ variant, report }) => {
            const first = report.boots.find((b) => b.kernel === report.candidate.name);
            return {
                name: variant,
                score: report.tests.filter((t) => !isShownDivergence(t.verdict)).length,
                max: report.tests.length,
                conclusion: report.summary.conclusion,
                tests: Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class])),
                build: { outcome: 'built' },
                boot: first
                    ? {
                        outcome: first.outcome,
                        stage: first.stage,
                        ...(first.message ? { message: first.message } : {}),
                    }
                    : { outcome: 'not-booted' },
                report: `${variant}/report.json`,
            };
        }),
    };
}
/**
 * The second fixture family: the Linux fixture harness (busybox + a static KTAP program) on real
 * Debian kernels fetched by set-up. The candidate is a 6.12 kernel, the references two 6.1
 * builds; the report shows what changed between them (cachestat and mseal arrived in between).
 */
async function runLinuxDemo(context, outDir, log, 
/** Whether stdout takes colours (the entry's decision: NO_COLOR, FORCE_COLOR, a terminal). */
color) {
    const kernels = await fixtureKernels();
    const harnessDir = path.join(outDir, 'harness-root');
    log('building the Linux fixture harness (busybox-static + a static KTAP program)');
    await buildLinuxHarness(harnessDir);
    const configFile = path.join(outDir, 'diverge.yml');
    const config = [
        '# written by diverge demo',
        'harness:',
        '  dir: harness-root',
        '  results: { format: ktap }',
        '  rerun-divergent: 1',
        'expectations: .github/diverge-expectations.yml',
        '',
    ].join('\n');
    await writeFile(configFile, config);
    const settings = parseConfig(config, configFile);
    const kernel = (name, file) => ({
        name,
        path: file,
        source: { debian: path.basename(file ?? '') },
    });
    const { report } = await evaluateOne(context, settings, {
        candidate: kernel('candidate', kernels.X86_612),
        references: [
            kernel('debian-6.1-a', kernels.X86_61_A),
            kernel('debian-6.1-b', kernels.X86_61_B),
        ],
    }, { outDir, variant: 'default', progress: log });
    process.stdout.write(renderTerminal(report, { color }));
    log(`report: ${path.join(outDir, 'report.html')}, report.json and report.md; serial logs in ${path.join(outDir, 'logs')}`);
    log('the divergences above are real: Linux 6.12 behaves differently from 6.1 in those tests');
    return report.summary.conclusion === 'neutral' ? EXIT.infrastructure : EXIT.ok;
}

/** `diverge demo`: the fixture course (or Debian's Linux kernels) judged end to end. */
function register$8(program, cli) {
    const command = program
        .command('demo')
        .description('build the fixture course (a teaching kernel and its student variants) in Docker and judge every variant against the staff kernels')
        .option('-o, --out <dir>', 'output directory', DEFAULT_OUT.demo)
        .option('--variant <names...>', 'judge only these variants: staff-alt (against staff alone) or student variants (default: all)')
        .option('--linux', 'instead, judge Debian Linux 6.12 against two 6.1 builds with the Linux fixture harness')
        .addOption(jobsOption())
        .action(action(cli, JUDGE_INPUT_ERRORS, async (options) => {
        const { context, log } = cli;
        if (!options.linux)
            checkDemoVariants(await courseTruth(), options.variant ?? []);
        const outDir = await takeOut(options.out, log);
        if (options.linux)
            return runLinuxDemo(context, outDir, log, cli.color);
        const started = context.clock.now();
        const rows = await runCourseDemo(context, outDir, {
            docker: cli.docker,
            log,
            ...(options.variant ? { variants: options.variant } : {}),
            ...(options.jobs ? { jobs: options.jobs } : {}),
        });
        process.stdout.write(`\n${renderMatrixText(rows, 'as intended')}`);
        for (const row of rows)
            for (const problem of row.unintended)
                log(`${row.variant}: ${problem}`);
        log(`reports: ${outDir}/<variant>/report.html, report.json and report.md, serial logs in ${outDir}/<variant>/logs; overview in ${path.join(outDir, 'overview.html')}, table in ${path.join(outDir, 'summary.md')} (${((context.clock.now() - started) / 1000).toFixed(0)} s)`);
        return rows.some((row) => row.report.summary.conclusion === 'neutral')
            ? EXIT.infrastructure
            : rows.some((row) => row.unintended.length > 0)
                ? EXIT.divergences
                : EXIT.ok;
    }));
    return withExamples(command, [
        [
            'diverge demo',
            'every student variant of the fixture course, each against the staff kernels, into diverge-demo/',
        ],
        [
            'diverge demo --variant panic hang -j 2',
            'only the variants panic and hang, two boots at once',
        ],
        ['diverge demo --linux -o linux-demo/', 'Debian Linux 6.12 against two 6.1 builds'],
    ]);
}

var demo = /*#__PURE__*/Object.freeze({
  __proto__: null,
  register: register$8
});

/**
 * `diverge doctor`: what a run will need, checked on this host — QEMU for the configured
 * architecture (and its version), KVM by the real probe, the Docker engine and permission to use
 * it, the Node version, free disk and memory. Each problem comes with its fix.
 */
/** Less than this free under the cache or temp directory fails Docker builds and kernel fetches. */
const MIN_FREE_DISK = 2 * 1024 ** 3;
/** Below this, parallel boots (256 MiB+ each) and builds are at risk. */
const MIN_FREE_MEMORY = 1024 ** 3;
const gib = (bytes) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
async function doctor$1(context, settings, docker, host = { nodeVersion: process.versions.node }) {
    const findings = [];
    const machine = archMachines(settings.machine.arch);
    const qemu = await findQemu(machine, context.searchPath).catch((error) => error);
    findings.push(typeof qemu === 'string'
        ? {
            what: `QEMU (${settings.machine.arch})`,
            ok: true,
            detail: `${qemu} ${await qemuVersion(qemu)}`,
        }
        : {
            what: `QEMU (${settings.machine.arch})`,
            ok: false,
            detail: qemu.message,
            fix: `apt-get install ${machine.debianPackage} (or the action's install-qemu: auto)`,
        });
    const kvm = await probeKvm(context.searchPath, context.tempDir).catch((error) => ({
        works: false,
        detail: error.message,
    }));
    findings.push({
        what: 'KVM',
        ok: kvm.works,
        detail: kvm.detail,
        ...(kvm.works
            ? {}
            : {
                warning: true,
                fix: 'boots fall back to TCG (10–50× slower): on a runner with /dev/kvm, add the udev rule KERNEL=="kvm", GROUP="kvm", MODE="0666" (the action\'s kvm: auto) or add the user to the kvm group',
            }),
    });
    try {
        await docker.client();
        findings.push({ what: 'Docker', ok: true, detail: `engine at ${context.dockerHost} answers` });
    }
    catch (error) {
        findings.push({
            what: 'Docker',
            ok: false,
            detail: error.message,
            fix: 'start the Docker engine, and run as root or a member of the docker group (only kernel.build and image references need it)',
        });
    }
    findings.push(nodeFinding(host.nodeVersion));
    for (const [what, dir] of [
        ['disk (cache)', context.cache.root],
        ['disk (temp)', context.tempDir],
    ]) {
        const free = await statfs(dir)
            .catch(() => statfs('/'))
            .then((s) => s.bavail * s.bsize);
        findings.push({
            what,
            ok: free >= MIN_FREE_DISK,
            detail: `${gib(free)} free at ${dir}`,
            ...(free >= MIN_FREE_DISK ? {} : { fix: `free at least ${gib(MIN_FREE_DISK)} there` }),
        });
    }
    const memory = host.freeMemory ?? freemem();
    findings.push({
        what: 'memory',
        ok: memory >= MIN_FREE_MEMORY,
        detail: `${gib(memory)} free`,
        ...(memory >= MIN_FREE_MEMORY
            ? {}
            : { warning: true, fix: 'lower --jobs, or machine.memory, or free memory' }),
    });
    return findings;
}
/**
 * Node against package.json's `engines` (NODE_MINIMUM): older fails; a major past its end of
 * life works, with a warning.
 */
function nodeFinding(version) {
    const [major = 0, minor = 0] = version.split('.').map(Number);
    const [least, leastMinor] = NODE_MINIMUM;
    const minimum = `${least}.${leastMinor}`;
    if (major < least || (major === least && minor < leastMinor))
        return {
            what: 'Node',
            ok: false,
            detail: `v${version}, older than ${minimum}`,
            fix: `install Node ${minimum} or later (24 recommended)`,
        };
    const endOfLife = NODE_END_OF_LIFE[major];
    return endOfLife === undefined
        ? { what: 'Node', ok: true, detail: `v${version}` }
        : {
            what: 'Node',
            ok: false,
            warning: true,
            detail: `v${version}: diverge runs on it, but Node ${major} is past its end of life (${endOfLife})`,
            fix: 'install Node 22 or 24 (the action runs on 24)',
        };
}
/** One line per finding; a problem's fix on the next line. */
function renderFindings(findings) {
    return findings
        .map((f) => {
        const mark = f.ok ? 'ok  ' : f.warning ? 'warn' : 'FAIL';
        return `${mark} ${f.what}: ${f.detail}${f.fix ? `\n     fix: ${f.fix}` : ''}`;
    })
        .join('\n');
}
/** 0 when nothing fails (warnings allowed), else 3 (infrastructure), as the README documents. */
const doctorExitCode = (findings) => findings.some((f) => !f.ok && !f.warning) ? 3 : 0;

function register$7(program, cli) {
    const command = program
        .command('doctor')
        .description('check what a run needs on this host (QEMU, KVM, Docker, Node, disk, memory), each problem with its fix')
        .addOption(configOption());
    withOutputOptions(command).action(action(cli, [ConfigError], async (options) => {
        const findings = await doctor$1(cli.context, await settingsFor(options.config, cli.cwd), cli.docker);
        return {
            exitCode: doctorExitCode(findings),
            text: `${renderFindings(findings)}\n`,
            summary: { findings },
        };
    }));
    return withExamples(command, [
        ['diverge doctor', "check this host for ./diverge.yml's machine (exit 3 when a check fails)"],
        ['diverge doctor -c lab2/diverge.yml', "for that config's machine.arch"],
    ]);
}

var doctor = /*#__PURE__*/Object.freeze({
  __proto__: null,
  register: register$7
});

/** `diverge expectations update`: a report's divergences accepted in the expectations file. */
const EXAMPLES = [
    [
        'diverge expectations update --report out/report.json',
        "accept out/'s divergences in ./diverge.yml's expectations file",
    ],
    [
        'diverge expectations update --report out/report.json --file lab2/expected.yml',
        'in that file instead',
    ],
];
function register$6(program, cli) {
    const expectations = withExamples(program.command('expectations').description('manage the expectations file'), EXAMPLES);
    const update = expectations
        .command('update')
        .description("write a report's divergences into the expectations file as accepted")
        .requiredOption('--report <file>', 'report.json to take the divergences from')
        .option('-c, --config <file>', 'diverge.yml whose expectations file to update')
        .option('--file <path>', 'expectations file (default: from the config, .github/diverge-expectations.yml)')
        .action(action(cli, [ConfigError, UsageError, ReportError], async (options) => {
        const settings = await settingsFor(options.config, cli.cwd);
        const report = await readReport(options.report);
        const file = path.resolve(options.file ?? settings.expectations);
        const result = await updateExpectations(file, reportDivergences(report), {
            arch: report.machine.arch,
            variant: report.variant,
            today: cli.context.clock.today(),
        });
        cli.log(`${file}: ${result.added} expectation(s) added, ${result.kept} kept`);
        return EXIT.ok;
    }));
    withExamples(update, EXAMPLES);
    return expectations;
}

var expectations = /*#__PURE__*/Object.freeze({
  __proto__: null,
  register: register$6
});

/**
 * Safe extraction of a repository tarball (GitHub's tarball endpoint: every entry under one top
 * directory, which is dropped; tar-stream reads the pax headers). A student's repository is untrusted: names that climb out
 * (`../`, absolute paths), hard links, symbolic links that point outside, entries written
 * through a symbolic link, too many entries and too many bytes are refused, with the same caps
 * as workflow artifacts (src/references/zip.ts).
 */
/** Extracts `file` into `dir` (removed again on failure); returns the number of entries written. */
async function extractTarball(file, dir, limits = DEFAULT_ZIP_LIMITS) {
    await mkdir(dir, { recursive: true });
    const root = path.resolve(dir);
    const links = new Set();
    let entries = 0;
    let total = 0;
    let top;
    const tooBig = () => new ArchiveError(`entries inflate to more than ${limits.maxTotalBytes} bytes (a tar bomb?)`);
    const extract = tar.extract();
    extract.on('entry', (header, body, next) => {
        void (async () => {
            // Every entry sits under GitHub's one `<owner>-<repo>-<sha>/` directory, which is dropped.
            const [first = '', ...rest] = header.name.split('/');
            top ??= first;
            if (first !== top || first === '' || first === '..')
                throw new ArchiveError(`entry "${header.name}" is not under the archive's top directory`);
            const relative = rest.join('/');
            if (!relative)
                return;
            let target;
            try {
                target = safeEntryPath(root, relative);
            }
            catch {
                throw new ArchiveError(`entry "${header.name}" would be written outside the repository`);
            }
            // A path through a link written earlier could lead anywhere the link does.
            for (let up = path.dirname(target); up.startsWith(root) && up !== root; up = path.dirname(up))
                if (links.has(up))
                    throw new ArchiveError(`entry "${header.name}" is written through a symbolic link`);
            if (++entries > limits.maxEntries)
                throw new ArchiveError(`more than the ${limits.maxEntries} entries diverge accepts`);
            if (header.type === 'directory') {
                await mkdir(target, { recursive: true });
                return;
            }
            await mkdir(path.dirname(target), { recursive: true });
            if (header.type === 'symlink') {
                const linkname = header.linkname ?? '';
                const resolved = path.resolve(path.dirname(target), linkname);
                if (path.isAbsolute(linkname) ||
                    (resolved !== root && !resolved.startsWith(`${root}${path.sep}`)))
                    throw new ArchiveError(`entry "${header.name}" links outside the repository (${linkname})`);
                await symlink(linkname, target);
                links.add(target);
                return;
            }
            if (header.type === 'link')
                throw new ArchiveError(`entry "${header.name}" is a hard link`);
            // Devices, fifos and the like have no place in a build context.
            if (header.type !== 'file' && header.type !== 'contiguous-file')
                return;
            if (total + (header.size ?? 0) > limits.maxTotalBytes)
                throw tooBig();
            const counter = new Transform({
                transform(chunk, _encoding, done) {
                    total += chunk.length;
                    done(total > limits.maxTotalBytes ? tooBig() : null, chunk);
                },
            });
            const mode = (header.mode ?? 0o644) & 0o111 ? 0o755 : 0o644;
            await pipeline(body, counter, createWriteStream(target, { mode }));
        })().then(() => {
            body.resume();
            next();
        }, (error) => extract.destroy(error));
    });
    try {
        await pipeline(createReadStream(file), createGunzip(), extract);
    }
    catch (error) {
        await rm(dir, { recursive: true, force: true });
        if (error instanceof ArchiveError)
            throw error;
        throw new ArchiveError(`not a readable tar.gz archive: ${error.message}`);
    }
    return entries;
}

/**
 * A course's submissions from GitHub (`diverge grade --github-org ORG --repo-prefix PREFIX`):
 * every repository of the organisation whose name starts with the prefix (GitHub Classroom
 * names them `<assignment>-<login>`) is one student. A repository whose own workflow published
 * its kernel (the action's `diverge-kernel-<variant>` artifact, on a push to its default
 * branch) gives that kernel; any other is downloaded at its default branch (the tarball
 * endpoint) into a directory to build. A repository that yields neither is still a submission,
 * with the reason, so that it gets its row in the gradebook.
 */
/** The student's name in a repository name, or undefined when it does not have the prefix. */
function studentOf(repository, prefix) {
    if (!repository.toLowerCase().startsWith(prefix.toLowerCase()))
        return undefined;
    const rest = repository.slice(prefix.length).replace(/^[-_.]+/, '');
    return rest === '' || rest === '.' || rest === '..' ? repository : rest;
}
async function submissionsFromGitHub(github, options) {
    const repositories = (await github.paginate(github.rest.repos.listForOrg, {
        org: options.org,
        type: 'all',
        sort: 'full_name',
        per_page: 100,
    }))
        .flatMap((repo) => {
        const name = studentOf(repo.name, options.prefix);
        return name === undefined ? [] : [{ repo, name }];
    })
        // By student name: the order shards split the course in.
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    options.progress(`${options.org}: ${repositories.length} repositories named ${options.prefix}*`);
    await mkdir(options.dir, { recursive: true });
    return inParallel(repositories, options.parallel ?? 4, ({ repo, name }) => fetchSubmission(github, repo, name, options));
}
/**
 * A submission as a NAME=PATH entry of `listSubmissions`: its published kernel, else its source
 * to build, else a path under `dir/missing/` that does not exist, so that it is graded as a row
 * saying the repository gave neither.
 */
function submissionEntry(submission, dir) {
    return {
        name: submission.name,
        path: submission.kernel ?? submission.context ?? path.join(dir, 'missing', submission.name),
    };
}
async function fetchSubmission(github, repo, name, options) {
    const branch = repo.default_branch ?? 'main';
    const source = { repository: repo.full_name, branch };
    const target = path.join(options.dir, name);
    const say = (line) => options.progress(`${name} (${repo.full_name}): ${line}`);
    await rm(target, { recursive: true, force: true });
    try {
        if (options.artifacts ?? true) {
            const kernel = await publishedKernel(github, repo, branch, target, options, say).catch((error) => {
                say(`its published kernel could not be used (${error.message}); building its source`);
                return undefined;
            });
            if (kernel)
                return { name, kernel: kernel.path, source: { ...source, artifact: kernel.artifact } };
        }
        const tarball = await sourceAt(github, repo, branch, target, options);
        say(`source at ${branch} (${tarball.entries} entries) to build`);
        return {
            name,
            context: tarball.dir,
            source: { ...source, tarball: { digest: tarball.digest } },
        };
    }
    catch (error) {
        const status = error.status;
        const why = status === 404
            ? `nothing at ${branch} (an empty repository, or the token cannot read it)`
            : error.message;
        say(why);
        return { name, error: `${repo.full_name}: ${why}`, source };
    }
}
const owner = (repo) => ({ owner: repo.owner.login, repo: repo.name });
/** The newest unexpired `diverge-kernel-<variant>` published from the default branch, if any. */
async function publishedKernel(github, repo, branch, target, options, say) {
    const name = publishedArtifactName(options.variant);
    const { data } = await github.rest.actions.listArtifactsForRepo({
        ...owner(repo),
        name,
        per_page: 100,
    });
    const artifact = data.artifacts.find((a) => a.name === name && !a.expired && (a.workflow_run?.head_branch ?? branch) === branch);
    if (!artifact)
        return undefined;
    const url = await redirectTarget(github, 'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}', { ...owner(repo), artifact_id: artifact.id, archive_format: 'zip' });
    const scratch = await mkdtemp(`${target}.artifact-`);
    try {
        const zip = path.join(scratch, 'artifact.zip');
        const got = await download(url, zip, {
            maxBytes: MAX_KERNEL_BYTES,
            log: say,
            ...retry(options),
        });
        const files = await extractZip(zip, path.join(scratch, 'files'));
        if (files.length !== 1)
            throw new Error(`artifact ${name} holds ${files.length} files, not one kernel`);
        const file = files[0];
        const kernel = path.join(target, 'kernel', path.basename(file));
        await rm(target, { recursive: true, force: true });
        await mkdir(path.dirname(kernel), { recursive: true });
        await rename(path.join(scratch, 'files', file), kernel);
        say(`published kernel ${name} (artifact ${artifact.id})`);
        return {
            path: kernel,
            artifact: {
                id: artifact.id,
                ...(artifact.workflow_run?.id ? { run: artifact.workflow_run.id } : {}),
                ...(artifact.workflow_run?.head_sha ? { sha: artifact.workflow_run.head_sha } : {}),
                digest: got.digest,
            },
        };
    }
    finally {
        await rm(scratch, { recursive: true, force: true });
    }
}
/** The repository at `branch`, extracted safely into `target/source`. */
async function sourceAt(github, repo, branch, target, options) {
    const url = await redirectTarget(github, 'GET /repos/{owner}/{repo}/tarball/{ref}', {
        ...owner(repo),
        ref: branch,
    });
    const scratch = await mkdtemp(`${target}.tarball-`);
    try {
        const file = path.join(scratch, 'source.tar.gz');
        const got = await download(url, file, { maxBytes: MAX_KERNEL_BYTES, ...retry(options) });
        const dir = path.join(target, 'source');
        const entries = await extractTarball(file, dir);
        return { dir, entries, digest: got.digest };
    }
    finally {
        await rm(scratch, { recursive: true, force: true });
    }
}
const retry = (options) => options.retryBaseMs === undefined ? {} : { retryBaseMs: options.retryBaseMs };

var $schema = "http://json-schema.org/draft-07/schema#";
var $id = "https://diverge.dev/schema/gradebook.v1.json";
var title = "diverge gradebook (diverge.gradebook/v1)";
var description = "Every student of a course graded by diverge grade against the same references: a score per student under the rubric, each test's class, and how the submission built and booted.";
var type = "object";
var additionalProperties = false;
var required = [
	"schema",
	"tool",
	"basis",
	"grading",
	"tests",
	"students"
];
var definitions = {
	"class": {
		"enum": [
			"same",
			"regression",
			"fix",
			"output",
			"crash",
			"hang",
			"missing",
			"new",
			"flaky",
			"ambiguous",
			"expected"
		]
	},
	student: {
		type: "object",
		additionalProperties: false,
		required: [
			"name",
			"score",
			"max",
			"conclusion",
			"tests",
			"build",
			"boot",
			"report",
			"key"
		],
		"if": {
			properties: {
				conclusion: {
					"const": "neutral"
				}
			}
		},
		then: {
			properties: {
				score: {
					type: "null"
				},
				tests: {
					type: "object",
					maxProperties: 0
				}
			}
		},
		"else": {
			properties: {
				score: {
					type: "number"
				}
			}
		},
		properties: {
			name: {
				type: "string",
				minLength: 1,
				description: "The submission's name as given (untrusted: escape it where shown)."
			},
			score: {
				type: [
					"number",
					"null"
				],
				minimum: 0,
				description: "null: not graded (conclusion neutral, an infrastructure fault); never 0"
			},
			max: {
				type: "number",
				minimum: 0
			},
			conclusion: {
				"enum": [
					"success",
					"failure",
					"neutral"
				]
			},
			reason: {
				type: "string"
			},
			tests: {
				type: "object",
				additionalProperties: {
					$ref: "#/definitions/class"
				}
			},
			build: {
				type: "object",
				additionalProperties: false,
				required: [
					"outcome"
				],
				properties: {
					outcome: {
						"enum": [
							"built",
							"file",
							"failed"
						]
					},
					message: {
						type: "string"
					},
					lastLines: {
						type: "array",
						maxItems: 20,
						items: {
							type: "string",
							maxLength: 500
						},
						description: "The failed build's last lines (the compiler's errors), without colour codes; untrusted"
					},
					log: {
						type: "string"
					}
				}
			},
			boot: {
				type: "object",
				additionalProperties: false,
				required: [
					"outcome"
				],
				properties: {
					outcome: {
						"enum": [
							"completed",
							"panic",
							"timeout",
							"stalled",
							"no-results",
							"not-from-harness",
							"qemu-error",
							"infrastructure",
							"not-booted"
						]
					},
					stage: {
						"enum": [
							"firmware",
							"kernel",
							"init",
							"harness",
							"done"
						]
					},
					message: {
						type: "string"
					}
				}
			},
			report: {
				type: [
					"string",
					"null"
				],
				description: "The student's report.json, relative to the gradebook."
			},
			key: {
				type: "string",
				pattern: "^sha256:[0-9a-f]{64}$"
			},
			checksum: {
				type: "string",
				pattern: "^sha256:[0-9a-f]{64}$",
				description: "Digest of the row without it and of its report's bytes: an edited row fails it"
			}
		}
	}
};
var properties = {
	schema: {
		"const": "diverge.gradebook/v1"
	},
	tool: {
		type: "object",
		additionalProperties: false,
		required: [
			"name",
			"version"
		],
		properties: {
			name: {
				"const": "diverge"
			},
			version: {
				type: "string"
			}
		}
	},
	basis: {
		type: "object",
		additionalProperties: false,
		required: [
			"config",
			"references",
			"harness",
			"tool"
		],
		properties: {
			config: {
				type: "string",
				pattern: "^sha256:[0-9a-f]{64}$"
			},
			harness: {
				type: "string",
				pattern: "^sha256:[0-9a-f]{64}$"
			},
			tool: {
				type: "string"
			},
			references: {
				type: "array",
				items: {
					type: "object",
					additionalProperties: false,
					required: [
						"name",
						"digest"
					],
					properties: {
						name: {
							type: "string"
						},
						digest: {
							type: "string",
							pattern: "^sha256:[0-9a-f]{64}$"
						}
					}
				}
			}
		}
	},
	grading: {
		type: "object",
		additionalProperties: false,
		required: [
			"points",
			"defaultPoints",
			"credit"
		],
		properties: {
			points: {
				type: "array",
				items: {
					type: "object",
					additionalProperties: false,
					required: [
						"test",
						"points"
					],
					properties: {
						test: {
							type: "string"
						},
						points: {
							type: "number",
							minimum: 0
						}
					}
				}
			},
			defaultPoints: {
				type: "number",
				minimum: 0
			},
			credit: {
				type: "object",
				additionalProperties: false,
				required: [
					"same",
					"regression",
					"fix",
					"output",
					"crash",
					"hang",
					"missing",
					"new",
					"flaky",
					"ambiguous",
					"expected"
				],
				properties: {
					same: {
						type: "number",
						minimum: 0,
						maximum: 1
					},
					regression: {
						type: "number",
						minimum: 0,
						maximum: 1
					},
					fix: {
						type: "number",
						minimum: 0,
						maximum: 1
					},
					output: {
						type: "number",
						minimum: 0,
						maximum: 1
					},
					crash: {
						type: "number",
						minimum: 0,
						maximum: 1
					},
					hang: {
						type: "number",
						minimum: 0,
						maximum: 1
					},
					missing: {
						type: "number",
						minimum: 0,
						maximum: 1
					},
					"new": {
						type: "number",
						minimum: 0,
						maximum: 1
					},
					flaky: {
						type: "number",
						minimum: 0,
						maximum: 1
					},
					ambiguous: {
						type: "number",
						minimum: 0,
						maximum: 1
					},
					expected: {
						type: "number",
						minimum: 0,
						maximum: 1
					}
				}
			}
		}
	},
	tests: {
		type: "array",
		items: {
			type: "string"
		}
	},
	shard: {
		type: "object",
		additionalProperties: false,
		required: [
			"index",
			"count"
		],
		properties: {
			index: {
				type: "integer",
				minimum: 1
			},
			count: {
				type: "integer",
				minimum: 1
			}
		}
	},
	students: {
		type: "array",
		items: {
			$ref: "#/definitions/student"
		}
	}
};
var schema = {
	$schema: $schema,
	$id: $id,
	title: title,
	description: description,
	type: type,
	additionalProperties: additionalProperties,
	required: required,
	definitions: definitions,
	properties: properties
};

/**
 * The gradebook contract, schema `diverge.gradebook/v1` (docs/grading.md; JSON Schema in
 * schema/gradebook.v1.json): one row per student, and what the rows were graded against (config,
 * references, harness), so that shards of the same grading can be merged and others refused.
 */
const GRADEBOOK_SCHEMA = 'diverge.gradebook/v1';
/** How the submission's first boot ended: a boot outcome, or `not-booted` (no kernel to boot). */
[...BOOT_OUTCOMES, 'not-booted'];

/**
 * The gradebook contract, schema `diverge.gradebook/v1` (docs/grading.md; JSON Schema in
 * schema/gradebook.v1.json): one row per student, and what the rows were graded against (config,
 * references, harness), so that shards of the same grading can be merged and others refused.
 */
class GradebookError extends Error {
}
const check = schemaCheck(schema, GradebookError);
/** Checks a gradebook against schema/gradebook.v1.json; the error names the file and fields. */
function validateGradebook(value, file = 'gradebook.json') {
    return check(value, file);
}
const byName = (a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
/**
 * The head of a grading by this config against the references of a judging session (their
 * boots name the tests, in their order), by diverge's build `tool`.
 */
function gradebookHead(settings, session, tool, shard) {
    return {
        tool: { name: 'diverge', version: TOOL_VERSION },
        basis: {
            config: configDigest(settings, session.expectations),
            references: session.references.map((r) => ({ name: r.name, digest: r.digest })),
            harness: session.harness.digest,
            tool,
        },
        grading: rubricOf(settings.grading),
        tests: testIdsOf(session.observations),
        ...(shard ? { shard } : {}),
    };
}
/** A gradebook of these rows, sorted by name, so that equal grading gives equal files. */
function gradebookOf(head, students) {
    return { schema: GRADEBOOK_SCHEMA, ...head, students: [...students].sort(byName) };
}
/** The key of one student's grade: the submission's content and everything it is judged by. */
function gradeKey(submissionDigest, basis) {
    const hash = createHash('sha256').update(JSON.stringify({ submissionDigest, basis }));
    return `sha256:${hash.digest('hex')}`;
}
const checkStudent = (() => {
    const student = ajv.getSchema(`${schema.$id}#/definitions/student`);
    if (!student)
        throw new Error('schema/gradebook.v1.json has no definitions/student');
    return student;
})();
/** One student's row as saved beside their report; undefined when it is not a valid row. */
function asStudent(value) {
    return checkStudent(value) ? value : undefined;
}
/**
 * The digest of what a grading's settings say, with host paths made relative to the config's
 * directory (shards check out the course in different places), and of the expectations the
 * verdicts honour.
 */
function configDigest(settings, expectations) {
    const baseDir = path.dirname(settings.configPath);
    const what = { ...settings, configPath: undefined };
    const relative = (_key, value) => typeof value === 'string' && path.isAbsolute(value) ? path.relative(baseDir, value) : value;
    return sha256(JSON.stringify({ settings: what, expectations }, relative));
}

/**
 * Progress of a long grading: on a terminal one live line (graded/total, builds and boots
 * running, failures so far, ETA) under the lines of finished students; elsewhere (CI) plain
 * lines only, one per finished student.
 */
const duration = (ms) => {
    const s = Math.round(ms / 1000);
    return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};
/** The live line: `graded 12/40 · 2 building · 3 booting · 1 failed · ETA 1m20s`. */
function progressLine(counts, elapsedMs) {
    const left = counts.total - counts.graded;
    const eta = counts.gradedNow > 0 && left > 0
        ? ` · ETA ${duration((elapsedMs / counts.gradedNow) * left)}`
        : '';
    return `graded ${counts.graded}/${counts.total} · ${counts.building} building · ${counts.booting} booting · ${counts.failures} failed${eta}`;
}
/** One finished student: `alice: 17/20 (success)` or with the reason it got nothing. */
function studentLine(student, kept) {
    const why = student.reason ? ` — ${singleLine(student.reason).slice(0, 160)}` : '';
    return `${singleLine(student.name).slice(0, 64)}: ${student.score === null ? 'not graded' : `${student.score}/${student.max}`} (${student.conclusion})${kept ? ', kept from the last run' : ''}${why}`;
}
class GradeProgress {
    sink;
    counts;
    /** Time spent building and booting, summed over the slots of the queue (ms). */
    busyMs = { building: 0, booting: 0 };
    started;
    shown = false;
    constructor(total, sink) {
        this.sink = sink;
        this.counts = { total, graded: 0, gradedNow: 0, failures: 0, building: 0, booting: 0 };
        this.started = sink.now();
    }
    /** A line that stays (a log line, a finished student), above the live line on a terminal. */
    log(line) {
        if (this.sink.tty)
            this.sink.write(`\r\x1b[K${line}\n`);
        else
            this.sink.write(`${line}\n`);
        this.redraw();
    }
    finished(student, kept) {
        this.counts.graded += 1;
        if (!kept)
            this.counts.gradedNow += 1;
        if (student.conclusion !== 'success')
            this.counts.failures += 1;
        this.log(studentLine(student, kept));
    }
    /** Counts a running build or boot for as long as `work` runs. */
    async running(what, work) {
        this.counts[what] += 1;
        this.redraw();
        const started = this.sink.now();
        try {
            return await work();
        }
        finally {
            this.busyMs[what] += this.sink.now() - started;
            this.counts[what] -= 1;
            this.redraw();
        }
    }
    redraw() {
        if (!this.sink.tty)
            return;
        this.shown = true;
        this.sink.write(`\r\x1b[K${progressLine(this.counts, this.sink.now() - this.started)}`);
    }
    /** Ends the live line, leaving the terminal at the start of a new line. */
    done() {
        if (this.sink.tty && this.shown)
            this.sink.write('\r\x1b[K');
    }
}

/**
 * Which submissions a grading covers: the entries of `--submissions DIR`, `--submission
 * NAME=PATH` and the lines of a `--list` file; where each one's files go (names are untrusted);
 * and which of them a shard (`--shard I/N`) grades.
 */
class SubmissionError extends Error {
}
const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/**
 * The directory name of a student's files under OUT/students/: the name itself when it is a
 * plain one (letters, digits, '.', '_', '-', at most 64), else its plain characters and a hash
 * of the whole name, so that no name can climb out of OUT or clash with another.
 */
function studentDir(name) {
    if (SAFE.test(name) && name !== '.' && name !== '..')
        return name;
    const plain = name
        .replace(/[^A-Za-z0-9._-]+/g, '_')
        .replace(/^[._-]+/, '')
        .slice(0, 48);
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
    return `${plain || 'student'}-${hash}`;
}
async function kindOf(file) {
    const info = await stat(file).catch(() => undefined);
    if (!info)
        return { kind: 'missing' };
    if (info.isDirectory())
        return { kind: 'dir' };
    if (info.isFile())
        return { kind: 'file' };
    return { kind: 'special', special: fileKind(info) };
}
/** `NAME=PATH`, else `PATH` named by its last component. */
function namedPath(text, baseDir) {
    const at = text.indexOf('=');
    if (at > 0)
        return { name: text.slice(0, at), path: path.resolve(baseDir, text.slice(at + 1)) };
    const resolved = path.resolve(baseDir, text);
    return { name: path.basename(resolved), path: resolved };
}
/** Every submission, sorted by name; a name given twice is an error naming both. */
async function listSubmissions(sources) {
    const found = [];
    if (sources.dir !== undefined) {
        const dir = sources.dir;
        const entries = await readdir(dir).catch((error) => {
            throw new SubmissionError(`--submissions ${dir}: ${error.message}`);
        });
        for (const name of entries.sort())
            if (!name.startsWith('.'))
                found.push({ name, path: path.join(dir, name), from: dir });
    }
    for (const entry of sources.named ?? [])
        found.push({ ...entry, from: `--submission ${entry.name}=${entry.path}` });
    if (sources.list !== undefined) {
        const list = sources.list;
        const text = await readFile(list, 'utf8').catch((error) => {
            throw new SubmissionError(`--list ${list}: ${error.message}`);
        });
        text.split(/\r?\n/).forEach((raw, i) => {
            const line = raw.replace(/(^|\s)#.*$/, '').trim();
            if (line)
                found.push({ ...namedPath(line, path.dirname(list)), from: `${list}:${i + 1}` });
        });
    }
    const seen = new Map();
    const dirs = new Map();
    for (const { name, from } of found) {
        if (name.trim() === '')
            throw new SubmissionError(`${from}: a submission needs a name`);
        const first = seen.get(name);
        if (first !== undefined)
            throw new SubmissionError(`submission ${JSON.stringify(name)} given twice: ${first} and ${from}`);
        seen.set(name, from);
        const dir = studentDir(name);
        const other = dirs.get(dir);
        if (other !== undefined)
            throw new SubmissionError(`submissions ${JSON.stringify(other)} and ${JSON.stringify(name)} would share the directory students/${dir}: rename one`);
        dirs.set(dir, name);
    }
    const submissions = await Promise.all(found.map(async ({ name, path: file }) => ({ name, path: file, ...(await kindOf(file)) })));
    return submissions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
/** `I/N` with 1 ≤ I ≤ N. */
function parseShard(text) {
    const match = /^(\d+)\/(\d+)$/.exec(text.trim());
    const index = Number(match?.[1]);
    const count = Number(match?.[2]);
    if (!match || count < 1 || index < 1 || index > count)
        throw new SubmissionError(`--shard: expected I/N with 1 ≤ I ≤ N (like 2/4), got "${text}"`);
    return { index, count };
}
/**
 * The shard's share: the submissions in name order (code units, the same on every machine),
 * every N-th from the I-th. Shards of the same list are disjoint, cover it, and differ in size
 * by at most one.
 */
function selectShard(submissions, shard) {
    const sorted = [...submissions].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return sorted.filter((_, i) => i % shard.count === shard.index - 1);
}
/** How many submissions of `total` the shard grades: its share as `selectShard` takes it. */
function shardSize(total, shard) {
    return total < shard.index ? 0 : Math.floor((total - shard.index) / shard.count) + 1;
}
/**
 * The submissions a grading covers (its shard's, when sharded), once the config can grade them:
 * directory submissions are built with kernel.build, and every kernel is judged against the
 * staff's references.
 */
function selectSubmissions(settings, submissions, shard, 
/** `--reference` kernels given instead of the config's references. */
flaggedReferences = 0) {
    const selected = shard ? selectShard(submissions, shard) : [...submissions];
    const sources = selected.filter((s) => s.kind === 'dir');
    if (sources.length > 0 && !settings.kernel?.build)
        throw new SubmissionError(`${settings.configPath}: kernel.build is missing, and directory submissions (${sources
            .slice(0, 3)
            .map((s) => JSON.stringify(s.name))
            .join(', ')}${sources.length > 3 ? ', …' : ''}) are built with it`);
    if (settings.references.length === 0 && flaggedReferences === 0)
        throw new SubmissionError(`${settings.configPath}: references: grading needs at least one reference (the staff kernel), in the config or as --reference`);
    return selected;
}

/**
 * The gradebook for people and spreadsheets: gradebook.csv (RFC 4180), gradebook.md (a summary
 * table and the distribution of scores) and the terminal's final table. Student names, test ids
 * and reasons are untrusted: quoted, escaped and capped wherever they are shown.
 */
/** The tests of the gradebook, then any other test a student reported (a `new` one), in order. */
function testColumns(gradebook) {
    const columns = new Set(gradebook.tests);
    for (const student of gradebook.students)
        for (const id of Object.keys(student.tests))
            columns.add(id);
    return [...columns];
}
function classCounts(student) {
    const counts = Object.fromEntries(CLASS_ORDER.map((c) => [c, 0]));
    for (const cls of Object.values(student.tests))
        counts[cls] += 1;
    return counts;
}
/**
 * One CSV field (RFC 4180): quoted when it holds a quote, comma or line break, quotes doubled.
 * Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading `'`.
 */
function csvField(value) {
    if (value === null)
        return '';
    let text = String(value);
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text))
        text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
/**
 * gradebook.csv: `student,score,max,conclusion`, a count per class, a column per test. A row not
 * graded (neutral) has an empty score: a spreadsheet or LMS import must not read it as 0.
 */
function renderCsv(gradebook) {
    const tests = testColumns(gradebook);
    const rows = [
        ['student', 'score', 'max', 'conclusion', ...CLASS_ORDER, ...tests],
        ...gradebook.students.map((s) => {
            const counts = classCounts(s);
            return [
                s.name,
                s.score,
                s.max,
                s.conclusion,
                ...CLASS_ORDER.map((c) => counts[c]),
                ...tests.map((id) => s.tests[id] ?? ''),
            ];
        }),
    ];
    return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
const REASON_CHARS = 200;
const cap = (text, max) => text.length > max ? `${text.slice(0, max - 1)}…` : text;
/** Divergences by class, most severe first: `2 regression, 1 crash`. */
function divergenceSummary(student) {
    const counts = classCounts(student);
    return CLASS_ORDER.filter((c) => c !== 'same' && counts[c] > 0)
        .map((c) => `${counts[c]} ${c}`)
        .join(', ');
}
const median = (sorted) => sorted.length === 0
    ? 0
    : sorted.length % 2
        ? sorted[(sorted.length - 1) / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
/** A graded row's share of the maximum, in percent. */
const percent = (s) => s.max > 0 ? (100 * s.score) / s.max : 0;
const fixed = (n) => String(Math.round(n * 100) / 100);
/** The rows with a score: a row not graded counts in no total and no distribution. */
const graded = (students) => students.filter((s) => s.score !== null);
/** A row's score as shown: `not graded` when it has none. */
const shownScore = (s) => s.score === null ? 'not graded' : `${fixed(s.score)}/${fixed(s.max)}`;
/** Graded students per tenth of the maximum (the last bucket holds 90–100 %). */
function scoreDistribution(students) {
    const buckets = new Array(10).fill(0);
    for (const student of graded(students)) {
        const bucket = Math.min(9, Math.floor(percent(student) / 10));
        buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    return buckets;
}
/** gradebook.md: the summary, the distribution of scores and a row per student. */
function renderGradebookMarkdown(gradebook) {
    const { students } = gradebook;
    const scores = graded(students)
        .map(percent)
        .sort((a, b) => a - b);
    const by = (c) => students.filter((s) => s.conclusion === c).length;
    const mean = scores.reduce((a, b) => a + b, 0) / (scores.length || 1);
    const lines = [
        '# Gradebook',
        '',
        `${students.length} student(s) graded against ${gradebook.basis.references.map((r) => inlineText(r.name)).join(', ')}` +
            (gradebook.shard ? ` (shard ${gradebook.shard.index}/${gradebook.shard.count})` : '') +
            `: ${by('success')} without a failing divergence, ${by('failure')} with one or without a kernel, ${by('neutral')} not graded (infrastructure).`,
        '',
        `Score (share of the maximum, over the ${scores.length} graded): mean ${fixed(mean)} %, median ${fixed(median(scores))} %, lowest ${fixed(scores[0] ?? 0)} %, highest ${fixed(scores.at(-1) ?? 0)} %.`,
        '',
        '## Distribution of scores',
        '',
        '| score | students | |',
        '|---|---:|---|',
        ...scoreDistribution(students).map((n, i) => `| ${i * 10}–${i === 9 ? 100 : i * 10 + 9} % | ${n} | ${'█'.repeat(n)} |`),
        '',
        '## Students',
        '',
        '| student | score | max | conclusion | divergences | why |',
        '|---|---:|---:|---|---|---|',
        ...students.map((s) => {
            const name = inlineText(cap(s.name, 80));
            const shown = s.report ? link(name, `students/${studentDir(s.name)}/report.md`) : name;
            const why = s.reason ? inlineText(cap(s.reason, REASON_CHARS)) : '';
            return `| ${shown} | ${s.score === null ? 'not graded' : fixed(s.score)} | ${fixed(s.max)} | ${s.conclusion} | ${divergenceSummary(s)} | ${why} |`;
        }),
        '',
    ];
    return lines.join('\n');
}
/** The final table on the terminal: one line per student, names and reasons made inert. */
function renderGradebookText(gradebook) {
    const rows = gradebook.students.map((s) => [
        cap(singleLine(s.name), 40),
        shownScore(s),
        s.conclusion,
        cap(singleLine(s.reason ?? divergenceSummary(s)), 100),
    ]);
    const header = ['student', 'score', 'conclusion', 'divergences / why'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells) => cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd();
    return `${[header, ...rows].map(line).join('\n')}\n`;
}

/**
 * A gradebook row's checksum: over the row (without the checksum) and the bytes of the report it
 * names, so that a row edited by hand (a score raised, a class changed) or a report changed under
 * it is told apart from the row diverge wrote. Checked wherever a row is trusted: a saved
 * grade.json a re-run would keep, and every row of a shard `grade merge` reads. Like the
 * observation cache's checksum, it catches edits and damage, not a forger who recomputes it.
 */
/** The value with every object's keys sorted: a reformatted file checks the same. */
const canonical = (value) => Array.isArray(value)
    ? value.map(canonical)
    : value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.keys(value)
            .sort()
            .map((k) => [k, canonical(value[k])]))
        : value;
/** The report a row names, inside `baseDir` (the gradebook's directory), or why not. */
function reportFile(row, baseDir) {
    if (row.report === null)
        return {};
    const file = path.resolve(baseDir, row.report);
    const inside = path.relative(path.resolve(baseDir), file);
    if (inside.startsWith('..') || path.isAbsolute(inside))
        return { bad: `names a report outside its gradebook's directory (${row.report})` };
    return { file };
}
async function checksumOf(row, report) {
    const content = { ...row };
    delete content.checksum;
    const digest = report === undefined ? null : await sha256File(report);
    return sha256(JSON.stringify([canonical(content), digest]));
}
/** The row with its checksum, its report read from `baseDir` (the gradebook's directory). */
async function sealRow(row, baseDir) {
    const { file, bad } = reportFile(row, baseDir);
    if (bad)
        throw new Error(`the row of ${JSON.stringify(row.name)} ${bad}`);
    return { ...row, checksum: await checksumOf(row, file) };
}
/** Why a row read back cannot be trusted (edited, its report changed or gone), or undefined. */
async function rowProblem(row, baseDir) {
    if (row.checksum === undefined)
        return 'has no checksum (not written by this diverge)';
    const { file, bad } = reportFile(row, baseDir);
    if (bad)
        return bad;
    let checksum;
    try {
        checksum = await checksumOf(row, file);
    }
    catch (error) {
        return `cannot read its report ${row.report}: ${error.message}`;
    }
    return checksum === row.checksum
        ? undefined
        : `does not match its checksum: the row${row.report === null ? '' : ` or its report (${row.report})`} was edited after it was graded`;
}

/**
 * OUT on disk: the gradebook files, rewritten atomically as each student finishes, and each
 * student's row saved beside their report (OUT/students/NAME/grade.json), which is what a
 * re-run with the same OUT resumes from.
 */
const GRADEBOOK_FILE = 'gradebook.json';
const GRADE_FILE = 'grade.json';
const studentPath = (outDir, name) => path.join(outDir, 'students', studentDir(name));
/**
 * The gradebook's files, in the order they are written: gradebook.json first (checked against
 * the schema before anything is written), then the CSV, the Markdown and the page (each row
 * linking the student's report.html, when there is one).
 */
const GRADEBOOK_OUTPUTS = [
    { file: GRADEBOOK_FILE, render: (gradebook) => `${JSON.stringify(gradebook, null, 2)}\n` },
    { file: 'gradebook.csv', render: renderCsv },
    { file: 'gradebook.md', render: renderGradebookMarkdown },
    {
        file: 'gradebook.html',
        render: (gradebook) => renderGradebookHtml(gradebook, {
            reportHref: (s) => relativeHref('students', studentDir(s.name), 'report.html'),
        }),
    },
];
/** The gradebook's file names, for the line that says where they are. */
const GRADEBOOK_FILES = GRADEBOOK_OUTPUTS.map((output) => output.file);
async function writeGradebook(outDir, gradebook) {
    validateGradebook(gradebook, path.join(outDir, GRADEBOOK_FILE));
    for (const { file, render } of GRADEBOOK_OUTPUTS)
        await writeAtomically(path.join(outDir, file), render(gradebook));
}
/**
 * The gradebook of a grading under way: each row recorded is written with every row so far,
 * the writes one after another; `close` writes it whole once every row is in.
 */
function gradebookWriter(outDir, head) {
    const rows = new Map();
    let written = Promise.resolve();
    return {
        record(student) {
            rows.set(student.name, student);
            written = written.then(() => writeGradebook(outDir, gradebookOf(head, rows.values())));
            return written;
        },
        async close() {
            await written;
            const gradebook = gradebookOf(head, rows.values());
            await writeGradebook(outDir, gradebook);
            return gradebook;
        },
    };
}
async function readGradebook(dir) {
    const file = path.join(dir, GRADEBOOK_FILE);
    return validateGradebook(await readJsonFile(file, 'the gradebook', GradebookError), file);
}
async function saveStudent(outDir, student) {
    await writeAtomically(path.join(studentPath(outDir, student.name), GRADE_FILE), `${JSON.stringify(student, null, 2)}\n`);
}
/**
 * A student's saved row, when there is a valid one for this name that matches its checksum (see
 * seal.ts); `discarded` hears why a row that is there is not trusted (it is graded again).
 */
async function loadStudent(outDir, name, discarded = () => { }) {
    const file = path.join(studentPath(outDir, name), GRADE_FILE);
    let student;
    try {
        student = asStudent(JSON.parse(await readFile(file, 'utf8')));
    }
    catch {
        return undefined;
    }
    if (student?.name !== name)
        return undefined;
    const problem = await rowProblem(student, outDir);
    if (problem === undefined)
        return student;
    discarded(`${file} ${problem}`);
    return undefined;
}
/**
 * Whether a saved row stands: its inputs are unchanged (same key) and the infrastructure did
 * not keep it from being graded (a `neutral` row is graded again).
 */
const keepsGrade = (saved, key) => saved !== undefined && saved.key === key && saved.conclusion !== 'neutral';

/**
 * A submission built by one command (`grading.build`): the staff's recipe is built once up to a
 * stage that holds the tools, and each submission is one container of that stage, with the
 * submission's files put into its working directory and the command run there. That is one
 * container per submission, where a Docker build of the staff's Dockerfile takes one per step,
 * commits each step's layer and then copies the kernel into a final image: the fixture course's
 * build costs a third of the CPU this way (bench/grade.md). The command runs under the same
 * limits as a build's steps: no network, memory, processes and time.
 */
const FIELD = 'grading.build';
/**
 * Builds the stage from the staff's own context, trusted (the config's limits, its network),
 * so that a stage fetching its toolchain has it before any submission runs.
 */
async function prepareStage(access, kernel, command, options) {
    const docker = await access.client();
    const field = `${FIELD}.stage`;
    return buildImage(docker, {
        recipe: { ...kernelRecipe(kernel, options.variant), target: command.stage },
        field,
        role: 'stage',
        logFile: path.join(options.outDir, 'logs', 'build-stage.log'),
        progress: () => undefined,
        contextCache: options.contextCache,
        clock: options.clock,
        limits: kernel.build.limits,
    }).catch((error) => {
        // The stage is this field's value, not a target of its own.
        if (error instanceof BuildError && error.message.startsWith(`${field}.target: `))
            throw new BuildError(error.message.replace(`${field}.target: `, `${field}: `), { field });
        throw error;
    });
}
/** The entries of `source` that `copy` selects (a path selects itself and what is under it). */
function selectEntries(source, copy) {
    const own = source.entries.filter((entry) => entry.from === undefined);
    if (!copy)
        return own;
    const roots = copy.map((p) => path.posix.normalize(p).replace(/^\.\/|\/$/g, ''));
    if (roots.includes('.'))
        return own;
    return own.filter((entry) => roots.some((root) => entry.name === root || entry.name.startsWith(`${root}/`)));
}
/**
 * Runs `command` over `source` in a container of `stage`. The container has no network, the
 * limits' memory and process count, and is killed at the time limit; it never sees the host's
 * files, only the submission's as an archive. Its output goes to the build log (capped); a
 * failure names the exit code, the limit it hit and the last lines.
 */
async function buildWithCommand(access, stage, kernel, command, options) {
    const started = options.clock.now();
    const docker = await access.client();
    const { limits } = options;
    const logFile = path.join(options.outDir, 'logs', 'build-kernel.log');
    await mkdir(path.dirname(logFile), { recursive: true });
    const log = new CappedLog(logFile, BUILD_LOG_CAP_BYTES, 'build log');
    const last = new LastLines();
    const lines = new ConsoleLines();
    const workdir = (await docker.getImage(stage.id).inspect()).Config?.WorkingDir || '/';
    const env = Object.entries(kernelRecipe(kernel, options.variant).args).map(([name, value]) => `${name}=${value}`);
    const spec = {
        Image: stage.id,
        Entrypoint: ['/bin/sh', '-c'],
        Cmd: [command.run],
        Env: env,
        WorkingDir: workdir,
        NetworkDisabled: !limits.network,
        Labels: { 'diverge.role': 'submission-build' },
        HostConfig: {
            NetworkMode: limits.network ? 'default' : 'none',
            Memory: limits.memoryBytes,
            MemorySwap: limits.memoryBytes,
            PidsLimit: limits.processes,
            Ulimits: [{ Name: 'fsize', Soft: limits.diskBytes, Hard: limits.diskBytes }],
        },
    };
    // Put in at the root, named under the working directory: the engine refuses an archive with
    // a link that climbs out of where it is extracted, and a student's link that climbs out of
    // the working directory (../../other-student) must stay a link to nothing here, as it does in
    // a Docker build, not fail the build.
    const putSubmission = async (container) => {
        const under = workdir.replace(/^\/+/, '').replace(/\/*$/, '/').replace(/^\/$/, '');
        const entries = selectEntries(options.source, command.copy).map((entry) => ({
            ...entry,
            name: `${under}${entry.name}`,
            from: path.join(options.source.dir, entry.name),
        }));
        await container
            .putArchive(packContext({ ...options.source, entries }), { path: '/' })
            .catch((error) => {
            if (error instanceof DockerUnavailableError)
                throw error;
            throw new BuildError(`${FIELD}: the submission's files could not be put into ${workdir}: ${error.message}`, { field: FIELD });
        });
    };
    // The log keeps clean lines (no colour codes, no control bytes): it is read as text.
    const keep = (line) => {
        log.write(Buffer.from(`${line}\n`));
        last.add(line);
    };
    let files = [];
    // The kernel and its extra files, taken out of the ended container when the command worked.
    const takeFiles = async (container, run) => {
        lines.end().forEach(keep);
        if (run.timedOut)
            throw new BuildError(`${FIELD}: stopped at the time limit: kernel.build.limits.time is ${limits.timeMs / 1000} s (build log: ${logFile})`, { field: FIELD, lastLines: last.lines });
        if (run.diskFull)
            throw new BuildError(`${FIELD}: stopped: the build wrote more than its disk limit: kernel.build.limits.disk is ${limits.diskBytes / MiB}M (build log: ${logFile})`, { field: FIELD, lastLines: last.lines });
        if (run.exitCode !== 0) {
            const failure = `${FIELD}.run (${command.run.slice(0, 200)}) exited with code ${run.exitCode}`;
            const hit = limitHit('kernel.build', limits, run.oomKilled ? 'Killed' : failure, last.lines);
            throw new BuildError(`${FIELD}: ${failure}${hit ? `: ${hit}` : ''} (build log: ${logFile})${last.tail}`, { field: FIELD, lastLines: last.lines });
        }
        const inStage = (p) => path.posix.resolve(workdir, p);
        files = await copyFilesOut(container, `${stage.tag} (after ${FIELD}.run)`, [
            { inImage: inStage(command.path), field: `${FIELD}.path` },
            ...command.extra.map((p, i) => ({ inImage: inStage(p), field: `${FIELD}.extra[${i}]` })),
        ], path.join(options.outDir, 'kernels', 'candidate'));
    };
    try {
        await runContainer(docker, spec, {
            timeMs: limits.timeMs,
            diskBytes: limits.diskBytes,
            prepare: putSubmission,
            onStdout: (chunk) => lines.push(chunk).forEach(keep),
            inspect: takeFiles,
        });
        const [extracted, ...extra] = files;
        if (!extracted)
            throw new Error('copyFilesOut returned nothing for grading.build.path');
        const durationMs = options.clock.now() - started;
        options.progress(`${FIELD}: built in ${(durationMs / 1000).toFixed(1)} s in ${stage.tag}`);
        return {
            image: { ...stage, cached: false, durationMs },
            kernel: extracted,
            extra,
        };
    }
    finally {
        await log.close();
    }
}

/**
 * How `diverge grade` builds a submission's source: as untrusted code (no network, the build
 * limits, only its own files), either with the staff's Dockerfile (`kernel.build`) or with one
 * command in a stage of it (`grading.build`). Either way the staff's part is built first, once,
 * trusted, so that what needs the network is there for every submission.
 */
function submissionBuilder(access, kernel, command, options) {
    const { variant, contextCache, clock, slot } = options;
    const staff = { variant, outDir: options.outDir, contextCache, clock };
    const staffDockerfile = path.resolve(kernel.build.context, kernel.build.dockerfile);
    const scan = (source) => scanContext(source, kernel.build.dockerfile, 'kernel.build', contextCache, staffDockerfile);
    if (command) {
        const stage = slot(() => prepareStage(access, kernel, command, staff));
        return {
            scan,
            prepared: stage.then((image) => `grading.build: stage ${command.stage} is built (${image.tag}); each submission is one container of it, with no network`),
            build: async (source, outDir) => {
                const image = await stage;
                return slot(async () => buildWithCommand(access, image, kernel, command, {
                    variant,
                    source: await scan(source),
                    outDir,
                    limits: isolated(kernel.build.limits),
                    progress: () => undefined,
                    clock,
                }));
            },
        };
    }
    // A staff context that does not build through still leaves its layers up to the failing step.
    const layers = slot(() => prepareStaffLayers(access, kernel, staff));
    return {
        scan,
        prepared: layers.then((prepared) => prepared.ok
            ? `kernel.build: the staff's recipe is built (${prepared.image.tag}); submissions build with no network, reusing its layers` +
                (prepared.image.builder === 'buildkit'
                    ? " (with BuildKit, which keys a step's cache on its network mode: a step of the staff's recipe that needs the network is not reused by a submission's build and runs again without one; such a step belongs in a base image the recipe starts FROM; limits.memory and limits.processes are not enforced)"
                    : '')
            : `kernel.build: the staff's recipe did not build through (${prepared.message}); submissions reuse the layers before that step and build with no network`),
        build: async (source, outDir) => {
            await layers;
            return slot(() => buildKernel(access, kernel, {
                variant,
                outDir,
                progress: () => undefined,
                contextCache,
                clock,
                source,
                untrusted: true,
                ...(options.tests && { tests: options.tests }),
            }));
        },
    };
}

/** How much of a build's or a boot's message a gradebook row keeps. */
const REASON_CAP = 2000;
const capped = (text) => text.length > REASON_CAP ? `${text.slice(0, REASON_CAP - 1)}…` : text;
/**
 * The row of a submission that was not booted, saying why: a `failure` (the submission's fault)
 * earns nothing; a `neutral` one (the infrastructure's) is not graded: no score.
 */
const unbooted = (conclusion, reason, build) => ({
    score: conclusion === 'neutral' ? null : 0,
    conclusion,
    reason: capped(reason),
    tests: {},
    build,
    boot: { outcome: 'not-booted' },
    report: null,
});
/**
 * A judged student's row: the rubric's score of the report (at `reportFile`, relative to the
 * gradebook), and how the first boot ended. A report the infrastructure kept from a verdict
 * (`neutral`: QEMU killed from outside, refusing to start, console bytes lost) is no grade: no
 * score and no classes, whatever tests the boot reported before it was cut.
 */
function judgedStudent(student, report, build, reportFile, grading) {
    const { score, max } = scoreReport(report, grading);
    const graded = report.summary.conclusion !== 'neutral';
    const first = report.boots.find((b) => b.kernel === CANDIDATE && b.attempt === 1);
    const boot = first
        ? {
            outcome: first.outcome,
            stage: first.stage,
            ...(first.message ? { message: capped(first.message) } : {}),
        }
        : { outcome: 'not-booted' };
    const reason = report.summary.conclusion === 'neutral'
        ? `not graded: ${report.summary.note ?? 'the infrastructure failed'}`
        : first?.outcome === 'not-from-harness'
            ? (first.message ?? 'results not from the harness')
            : first && first.outcome !== 'completed'
                ? `boot ended: ${first.outcome} at stage ${first.stage}${first.message ? ` (${first.message})` : ''}`
                : undefined;
    return {
        name: student.name,
        score: graded ? score : null,
        max,
        conclusion: report.summary.conclusion,
        ...(reason ? { reason: capped(reason) } : {}),
        tests: graded ? Object.fromEntries(report.tests.map((t) => [t.id, t.verdict.class])) : {},
        build,
        boot,
        report: reportFile,
        key: student.key,
    };
}

/**
 * The kernel a submission gives: its file, or its source built with the staff's recipe (one
 * build per distinct source: students who hand in the same files share an image).
 */
const noKernel = (...args) => ({
    ok: false,
    row: unbooted(...args),
});
/**
 * The kernels of `submissions`, built under `outDir/builds` with no network: the staff's part
 * of the recipe first, trusted, in a `slot` of the queue the boots share.
 */
function submissionKernels(settings, submissions, docker, options) {
    const { outDir } = options;
    // Checked by selectSubmissions: directory submissions come with a kernel.build.
    const builder = submissions.some((s) => s.kind === 'dir')
        ? submissionBuilder(docker, settings.kernel, settings.grading.build, {
            variant: options.variant,
            outDir: path.join(outDir, 'builds', 'staff'),
            contextCache: options.contextCache,
            clock: options.clock,
            slot: options.slot,
            ...(settings.harness.tests && { tests: settings.harness.tests }),
        })
        : undefined;
    const builds = new Map();
    const digestOf = async (submission) => {
        if (submission.kind === 'file')
            return sha256File(submission.path);
        if (submission.kind === 'missing' || submission.kind === 'special')
            return sha256(`${submission.kind} ${submission.path}`);
        // A source diverge refuses to send (over the context's size cap) is the student's: its key
        // names the refusal, and the build below says it as the row's failure.
        return builder.scan(submission.path).then((context) => context.digest, (error) => {
            if (error instanceof BuildError)
                return sha256(`unbuildable ${submission.path} ${error.message}`);
            throw error;
        });
    };
    const kernelOf = async (submission, digest, dir) => {
        if (submission.kind === 'missing')
            return noKernel('failure', `no such file or directory: ${submission.path}`, {
                outcome: 'failed',
                message: 'the submission is missing',
            });
        if (submission.kind === 'special')
            return noKernel('failure', `not a regular file or directory (${submission.special}): ${submission.path}`, { outcome: 'failed', message: `the submission is ${submission.special}, never opened` });
        if (submission.kind === 'file')
            return {
                ok: true,
                kernel: { name: CANDIDATE, path: submission.path, source: { file: submission.path } },
                build: { outcome: 'file' },
            };
        const buildDir = path.join(outDir, 'builds', digest.slice('sha256:'.length, 'sha256:'.length + 16));
        let build = builds.get(digest);
        if (!build) {
            build = builder.build(submission.path, buildDir);
            builds.set(digest, build);
        }
        const log = path.join(dir, 'logs', 'build-kernel.log');
        // The build's log, or (an image built before from the same source) a line saying so.
        const keepLog = async (image) => {
            await mkdir(path.dirname(log), { recursive: true });
            await copyFile(path.join(buildDir, 'logs', 'build-kernel.log'), log).catch(() => writeFile(log, `not built again: image ${image ?? '(none)'} was built from the same source\n`));
            return path.relative(outDir, log);
        };
        try {
            const built = await build;
            const logFile = await keepLog(built.image.tag);
            return {
                ok: true,
                kernel: {
                    name: CANDIDATE,
                    path: built.kernel.path,
                    digest: built.kernel.digest,
                    ...(built.extra.length ? { disks: built.extra.map((f) => f.path) } : {}),
                    source: { build: { context: submission.path }, image: built.image.tag },
                },
                build: { outcome: 'built', log: logFile },
            };
        }
        catch (error) {
            const logFile = await keepLog();
            // The first line says which step failed and why; the lines after it (the build's last
            // output) change with Docker's layer cache and are in the log. It names the build's log:
            // name the student's copy, which OUT carries along.
            const message = (error.message.split('\n')[0] ?? '')
                .split(path.join(buildDir, 'logs', 'build-kernel.log'))
                .join(logFile);
            const lastLines = error instanceof BuildError ? error.lastLines : [];
            const build = {
                outcome: 'failed',
                message: capped(message),
                ...(lastLines.length ? { lastLines: [...lastLines] } : {}),
                log: logFile,
            };
            // A build the student's source breaks is theirs; a Docker engine that fails is not.
            return error instanceof BuildError
                ? noKernel('failure', `did not build: ${message}`, build)
                : noKernel('neutral', `not graded: the build could not run: ${message}`, build);
        }
    };
    return { ...(builder ? { prepared: builder.prepared } : {}), digestOf, kernelOf };
}

/**
 * Grading one submission: its saved row when nothing it is graded by changed, else its kernel
 * (built when it is a source), checked, judged, and the row saved beside its report.
 */
/**
 * A student's judged row. A boot the infrastructure cut (QEMU killed from outside, refusing to
 * start, console bytes lost) is judged once more (its report and logs written over) before the row says
 * "not graded": one runner hiccup should not cost a student their grade in this run.
 */
async function judgedOnce(grading, kernel, build) {
    const { name, key, dir, outDir, settings, progress } = grading;
    const judge = async () => judgedStudent({ name, key }, await grading.evaluate(kernel, dir, name), build, path.relative(outDir, path.join(dir, 'report.json')), settings.grading);
    const first = await judge();
    if (first.conclusion !== 'neutral')
        return first;
    progress.log(`${name}: ${first.reason ?? 'not graded'}: judging once more`);
    return judge();
}
/** Grades a submission and records its row; never throws for the submission's sake. */
function studentGrader(grading) {
    const { settings, outDir, head, kernels, progress } = grading;
    const finish = async (student, kept) => {
        await grading.record(student);
        progress.finished(student, kept);
    };
    return async (submission) => {
        const { name } = submission;
        const dir = studentPath(outDir, name);
        const max = maxPoints(head.tests, settings.grading);
        let key = gradeKey(sha256(`unreadable ${submission.path}`), head.basis);
        try {
            key = gradeKey(await kernels.digestOf(submission), head.basis);
            const saved = await loadStudent(outDir, name, (why) => progress.log(`${name}: ${why}: graded again`));
            if (saved && keepsGrade(saved, key))
                return await finish(saved, true);
            await rm(dir, { recursive: true, force: true });
            await mkdir(dir, { recursive: true });
            const found = await kernels.kernelOf(submission, key, dir);
            let student;
            if (!found.ok)
                student = { name, key, max, ...found.row };
            else {
                const problem = await checkKernel(CANDIDATE, found.kernel.path, settings.machine, settings.harness.tests)
                    .then(() => undefined)
                    .catch((error) => error);
                student = problem
                    ? {
                        name,
                        key,
                        max,
                        ...unbooted(problem instanceof KernelFileError ? 'failure' : 'neutral', `not a kernel diverge can boot: ${problem.message}`, found.build),
                    }
                    : await judgedOnce({ ...grading, name, key, dir }, found.kernel, found.build);
            }
            student = await sealRow(student, outDir);
            await saveStudent(outDir, student);
            await finish(student, false);
        }
        catch (error) {
            // Never lose the run to one submission: the row says what went wrong, and, being
            // neutral, is graded again by the next run with this OUT.
            const reason = `not graded: ${error.message}`;
            const row = { name, key, max, ...unbooted('neutral', reason, { outcome: 'failed' }) };
            await finish(await sealRow(row, outDir), false);
        }
    };
}

/**
 * `diverge grade`: every submission of a course against the references, which are resolved,
 * booted and observed once and shared. Only wires stages: the submissions (grade/submissions),
 * their kernels built in the queue the boots share (grade/kernel), the judging session
 * (session/), and each student's row in the gradebook (grade/student, grade/store).
 */
async function gradeCourse(context, settings, submissions, options) {
    const { outDir, docker, variant, progress } = options;
    const log = (line) => progress.log(line);
    const selected = selectSubmissions(settings, submissions, options.shard, options.references?.length ?? 0);
    await mkdir(outDir, { recursive: true });
    const jobs = options.jobs ?? defaultParallelism(settings.machine.memoryMiB, settings.machine.cpus);
    const queue = limiter(jobs);
    const kernels = submissionKernels(settings, selected, docker, {
        variant,
        outDir,
        contextCache: context.cache.contexts,
        clock: context.clock,
        slot: (work) => queue(() => progress.running('building', work)),
    });
    // A stage that does not build ends the run, but only once the references are done (below).
    kernels.prepared?.then(log, () => undefined);
    // The references: fetched, booted and observed once for every submission, with their
    // reruns: a submission that diverges is judged against them without booting them again.
    const referencesDir = path.join(outDir, 'references');
    const references = await fetchReferences(context, settings, {
        docker,
        variant,
        outDir: referencesDir,
        progress: log,
        github: options.github,
        run: options.run,
    }, options.references);
    const session = await openSession(context, settings, references, {
        outDir: referencesDir,
        docker,
        variant,
        jobs,
        limit: (work) => queue(() => progress.running('booting', work)),
        progress: log,
        observationCache: options.observationCache,
        preboot: 'reruns',
    });
    const head = gradebookHead(settings, session, context.buildId, options.shard);
    // The rubric's globs, against the tests the references reported (inputs.ts checked them
    // before --out was taken only when the harness lists its tests), before any student is graded.
    // With no test at all, the references' boots say why (as for bisect's checkSelection).
    if (head.tests.length > 0)
        checkRubric(settings.grading, head.tests, settings.configPath);
    const gradebook = gradebookWriter(outDir, head);
    const grade = studentGrader({
        settings,
        outDir,
        head,
        kernels,
        evaluate: async (kernel, dir, name) => (await session.evaluate(kernel, {
            outDir: dir,
            saveBoots: true,
            subject: name,
            root: outDir,
        })).report,
        record: (student) => gradebook.record(student),
        progress,
    });
    await kernels.prepared;
    // More pipelines than slots, so a build or boot is always waiting when a slot frees up.
    await inParallel(selected, Math.max(2, jobs * 2), grade);
    return gradebook.close();
}

/** `diverge grade`: every submission of a course judged and scored; a gradebook. */
/** The submissions of a GitHub Classroom assignment as NAME=PATH entries, problems logged. */
async function githubSubmissions(cli, github, options) {
    const found = await submissionsFromGitHub(github, options);
    for (const s of found)
        if (s.error)
            cli.log(`submission ${s.name}: ${s.error}`);
    return found.map((s) => submissionEntry(s, options.dir));
}
function register$5(program, cli) {
    const command = program
        .command('grade')
        // `grade merge … --out` is merge's option, not grade's.
        .enablePositionalOptions()
        .description('grade every submission of a course against the references (observed once): a score per student under the rubric, and a gradebook')
        .addOption(configOption())
        .option('--submissions <dir>', 'every entry is a submission named by the entry: a file is a kernel, a directory is built with kernel.build')
        .option('--submission <name=path>', 'one more submission (repeatable)', kernelOption)
        .option('--list <file>', 'a file of NAME=PATH (or PATH) lines, paths relative to it')
        .option('--github-org <org>', "the org's repositories named PREFIX<student> (GitHub Classroom): each one's published kernel, else its default branch built (needs GITHUB_TOKEN)")
        .option('--repo-prefix <prefix>', 'with --github-org: the assignment prefix, e.g. lab1-')
        .option('--sources-only', "with --github-org: build every repository's default branch, ignoring kernels their own workflows published (a student's workflow can publish any file)")
        .addOption(referenceOption())
        .option('-o, --out <dir>', 'output directory (a re-run with the same one resumes)', DEFAULT_OUT.grade)
        .addOption(jobsOption('builds and boots at once (default: from cores and memory)'))
        .option('--shard <i/n>', 'grade only the I-th of N shares of the submissions (1-based)')
        .option('--variant <name>', 'the VARIANT build argument of every build (default: as for run)')
        .addOption(observationCacheOption());
    withOutputOptions(command).action(action(cli, [...JUDGE_INPUT_ERRORS, UsageError, SubmissionError, GradebookError, RubricError], async (options) => {
        if (!options.submissions && !options.submission && !options.list && !options.githubOrg)
            throw new UsageError('grade: give --submissions DIR, --submission NAME=PATH, --list FILE or --github-org ORG --repo-prefix PREFIX');
        if ((options.githubOrg === undefined) !== (options.repoPrefix === undefined))
            throw new UsageError('grade: --github-org and --repo-prefix go together');
        const settings = await settingsFor(options.config, cli.cwd);
        const shard = options.shard === undefined ? undefined : parseShard(options.shard);
        const variant = variantOf(settings, options.variant);
        const { github, run } = githubFromEnvironment(cli.env, { variant }, cli.log);
        const local = {
            ...(options.submissions ? { dir: path.resolve(options.submissions) } : {}),
            ...(options.list ? { list: path.resolve(options.list) } : {}),
        };
        // Checked before --out is taken; GitHub's submissions are cloned into it, after.
        if (options.githubOrg && !github)
            throw new UsageError('grade: --github-org needs GITHUB_TOKEN (and GITHUB_API_URL for GHES)');
        await checkGradeInputs(settings, options.reference);
        await listSubmissions({ ...local, named: options.submission ?? [] });
        const outDir = await takeOut(options.out, cli.log);
        const fromGitHub = options.githubOrg && github
            ? await githubSubmissions(cli, github, {
                org: options.githubOrg,
                prefix: options.repoPrefix,
                variant,
                artifacts: !options.sourcesOnly,
                dir: path.join(outDir, 'submissions'),
                progress: cli.log,
            })
            : [];
        const submissions = await listSubmissions({
            ...local,
            named: [...(options.submission ?? []), ...fromGitHub],
        });
        const progress = new GradeProgress(shard ? shardSize(submissions.length, shard) : submissions.length, {
            tty: Boolean(process.stderr.isTTY),
            write: (text) => void (cli.quiet || process.stderr.write(text)),
            now: () => cli.context.clock.now(),
        });
        const gradebook = await gradeCourse(cli.context, settings, submissions, {
            outDir,
            docker: cli.docker,
            variant,
            progress,
            observationCache: options.observationCache,
            ...(shard ? { shard } : {}),
            ...(options.jobs ? { jobs: options.jobs } : {}),
            ...(github ? { github } : {}),
            ...(options.reference ? { references: options.reference } : {}),
            run,
        }).finally(() => progress.done());
        const neutral = gradebook.students.filter((s) => s.conclusion === 'neutral').length;
        const [json, ...others] = GRADEBOOK_FILES;
        cli.log(`gradebook: ${path.join(outDir, json ?? '')}, ${others.slice(0, -1).join(', ')} and ${others.at(-1)}; each student's report in ${path.join(outDir, 'students')}` +
            (neutral
                ? `; ${neutral} student(s) not graded (infrastructure): run again with the same --out`
                : ''));
        return {
            exitCode: neutral > 0 ? EXIT.infrastructure : EXIT.ok,
            text: renderGradebookText(gradebook),
            summary: {
                students: gradebook.students.map((s) => ({
                    name: s.name,
                    score: s.score,
                    max: s.max,
                    conclusion: s.conclusion,
                    ...(s.reason === undefined ? {} : { reason: s.reason }),
                })),
                notGraded: neutral,
                tests: gradebook.tests.length,
                files: {
                    gradebook: path.join(outDir, 'gradebook.json'),
                    csv: path.join(outDir, 'gradebook.csv'),
                    markdown: path.join(outDir, 'gradebook.md'),
                    html: path.join(outDir, 'gradebook.html'),
                    students: path.join(outDir, 'students'),
                },
            },
        };
    }));
    return withExamples(command, [
        [
            'diverge grade -c diverge.yml --submissions submissions/ -o grades/',
            'each entry of submissions/ a student (a file a kernel, a directory built); gradebook in grades/',
        ],
        [
            'diverge grade --github-org cs-course --repo-prefix lab1- -j 4',
            "GitHub Classroom's lab1-<student> repositories (needs GITHUB_TOKEN)",
        ],
        [
            'diverge grade --list class.txt --shard 2/4 -o shard-2',
            'the second of four shares of the class; `diverge grade merge` joins the shards',
        ],
    ]);
}

/**
 * `diverge grade merge`: shard gradebooks into one. Shards merge only when they were graded
 * against the same basis (config, references, harness, diverge build) and no student is in two.
 */
/** Why `other` cannot be merged with `first`, or undefined when it can. */
function basisMismatch(first, other) {
    if (first.config !== other.config)
        return `a different config (${other.config}, not ${first.config})`;
    const names = (b) => b.references.map((r) => r.name).join(', ');
    if (names(first) !== names(other))
        return `different references (${names(other) || 'none'}, not ${names(first) || 'none'})`;
    const changed = other.references.filter((r, i) => r.digest !== first.references[i]?.digest);
    if (changed.length > 0)
        return `different reference kernels: ${changed.map((r) => `${r.name} is ${r.digest}, not ${first.references.find((f) => f.name === r.name)?.digest}`).join('; ')}`;
    if (first.harness !== other.harness)
        return `a different harness (${other.harness}, not ${first.harness})`;
    if (first.tool !== other.tool)
        return `another diverge build (${other.tool}, not ${first.tool})`;
    return undefined;
}
/**
 * Refuses a shard one of whose rows does not match its checksum (a score edited, a report
 * changed under it): naming the shard's gradebook and the student.
 */
async function checkRows(dir, gradebook) {
    const file = path.join(dir, GRADEBOOK_FILE);
    for (const student of gradebook.students) {
        const problem = await rowProblem(student, dir);
        if (problem)
            throw new GradebookError(`${file}: the row of ${JSON.stringify(student.name)} ${problem}: refusing this shard (grade it again)`);
    }
}
/** The merged gradebook of shards read from `dirs` (each named in errors). */
function mergeGradebooks(shards) {
    const [first] = shards;
    if (!first)
        throw new GradebookError('grade merge: give at least one gradebook directory');
    const owner = new Map();
    const tests = new Set();
    for (const { dir, gradebook } of shards) {
        const file = path.join(dir, GRADEBOOK_FILE);
        const mismatch = basisMismatch(first.gradebook.basis, gradebook.basis);
        if (mismatch)
            throw new GradebookError(`${file}: graded with ${mismatch} than ${path.join(first.dir, GRADEBOOK_FILE)}: shards of one grading only`);
        for (const test of gradebook.tests)
            tests.add(test);
        for (const student of gradebook.students) {
            const other = owner.get(student.name);
            if (other !== undefined)
                throw new GradebookError(`student ${JSON.stringify(student.name)} is in both ${path.join(other, GRADEBOOK_FILE)} and ${file}`);
            owner.set(student.name, dir);
        }
    }
    const { tool, basis, grading } = first.gradebook;
    return gradebookOf({ tool, basis, grading, tests: [...tests] }, shards.flatMap((s) => s.gradebook.students));
}
/** Reads the shards, merges them into `outDir` with every student's files, writes the gradebook. */
async function mergeShards(dirs, outDir) {
    const shards = await Promise.all(dirs.map(async (dir) => ({ dir, gradebook: await readGradebook(dir) })));
    const merged = mergeGradebooks(shards);
    for (const { dir, gradebook } of shards)
        await checkRows(dir, gradebook);
    for (const { dir, gradebook } of shards)
        for (const student of gradebook.students) {
            const from = studentPath(dir, student.name);
            const to = studentPath(outDir, student.name);
            if (path.resolve(from) === path.resolve(to))
                continue;
            await cp(from, to, { recursive: true, force: true }).catch((error) => {
                // A student without a report may have no files; one with a report must bring it.
                if (student.report !== null)
                    throw new GradebookError(`${from}: the files of ${JSON.stringify(student.name)}: ${error.message}`);
            });
        }
    await writeGradebook(outDir, merged);
    return merged;
}

/** `diverge grade merge`: the gradebooks of shards merged into one. */
/** Registers `merge` under the `grade` command. */
function register$4(grade, cli) {
    const command = grade
        .command('merge')
        .description('merge the gradebooks of shards (--shard I/N runs of one grading) into one')
        .argument('<dirs...>', 'output directories of the shards')
        .requiredOption('-o, --out <dir>', 'where to write the merged gradebook')
        .action(action(cli, [GradebookError], async (dirs, options) => {
        const outDir = path.resolve(options.out);
        const gradebook = await mergeShards(dirs.map((d) => path.resolve(d)), outDir);
        process.stdout.write(renderGradebookText(gradebook));
        cli.log(`merged ${dirs.length} gradebook(s) of ${gradebook.students.length} student(s) into ${outDir}`);
        return EXIT.ok;
    }));
    return withExamples(command, [
        [
            'diverge grade merge shard-1 shard-2 shard-3 shard-4 -o grades',
            "one gradebook of the four shards, with every student's files, in grades/",
        ],
        ['diverge grade merge shard-* --out grades', 'every shard directory the shell finds'],
    ]);
}

/**
 * Where and when a run was made, as `history add` records it when not told: the commit and ref
 * from GitHub's variables, else from the git checkout; the event from GitHub's; the time from
 * the clock. The entry passes the environment, the directory and the clock in.
 */
const exec = promisify(execFile);
async function gitLine(cwd, args) {
    try {
        const { stdout } = await exec('git', ['-C', cwd, ...args]);
        return stdout.trim() || undefined;
    }
    catch {
        return undefined;
    }
}
async function runPlace(options, env, cwd, now) {
    const commit = options.commit ?? env['GITHUB_SHA'] ?? (await gitLine(cwd, ['rev-parse', 'HEAD']));
    if (!commit)
        throw new HistoryError(`history add: no --commit given, no GITHUB_SHA, and ${cwd} is not a git checkout`);
    const ref = options.ref ??
        env['GITHUB_REF'] ??
        (await gitLine(cwd, ['symbolic-ref', '-q', 'HEAD'])) ??
        'HEAD';
    let event;
    if (options.event !== undefined) {
        if (!HISTORY_EVENTS.includes(options.event))
            throw new HistoryError(`history add: --event ${options.event} is not one of ${HISTORY_EVENTS.join(', ')}`);
        event = options.event;
    }
    else {
        event = eventOf(env['GITHUB_EVENT_NAME']);
        if (!event)
            throw new HistoryError(`history add: a ${env['GITHUB_EVENT_NAME']} run is not one of the default branch's (push, schedule, workflow_dispatch): nothing recorded; pass --event to record it anyway`);
    }
    const time = options.time ?? new Date(now).toISOString();
    return { commit, ref, time, event };
}

/**
 * `diverge history add|show|render`: a store of every run on the default branch, what it says
 * about each test, and a dashboard of it (docs/history.md).
 */
const BAD_INPUT = [UsageError, ReportError, HistoryError];
/** The store as a timeline, its months' columns kept in the cache directory between reads. */
const readStore = (cli, store) => readTimeline(path.resolve(cli.cwd, store), (line) => cli.log(`warning: ${line}`), {
    dir: cli.context.cache.history,
    version: cli.context.buildId,
});
const storeOption = '--store <dir>';
const storeHelp = 'the history store: a directory of month files (YYYY-MM.jsonl)';
function registerAdd(history, cli) {
    const command = history
        .command('add')
        .description('append one record of a run (its report.json files) to the history store')
        .argument('<reports...>', "the run's report.json files, one per variant")
        .requiredOption(storeOption, storeHelp)
        .option('--commit <sha>', "the commit that ran (default: GITHUB_SHA, else the checkout's HEAD)")
        .option('--ref <ref>', 'its ref (default: GITHUB_REF, else the checked-out branch)')
        .option('--time <iso>', 'when it ran, ISO 8601 (default: now)')
        .option('--event <event>', 'push, schedule or manual (default: from GITHUB_EVENT_NAME, else manual)')
        .option('--link <url>', "where each report's report.html is published, in the reports' order (repeatable)", (value, previous = []) => [...previous, value])
        .action(action(cli, BAD_INPUT, async (files, options) => {
        const place = await runPlace(options, cli.env, cli.cwd, cli.context.clock.now());
        const reports = await Promise.all(files.map(async (file, i) => {
            const link = options.link?.[i];
            return { file, report: await readReport(file), ...(link ? { link } : {}) };
        }));
        const record = historyRecord(place, reports);
        const file = await appendRecord(path.resolve(cli.cwd, options.store), record);
        const tests = record.reports.reduce((n, r) => n + Object.keys(r.tests).length, 0);
        cli.log(`recorded ${record.commit} (${record.event}, ${tests} tests) in ${file}`);
        return EXIT.ok;
    }));
    withExamples(command, [
        [
            'diverge history add out/report.json --store history',
            "record this checkout's run in history/ (commit, ref and event from git and GitHub's variables)",
        ],
        [
            'diverge history add a/report.json b/report.json --store history --commit 0123abc --event schedule',
            'one run of two variants, made by a nightly schedule',
        ],
    ]);
}
function registerShow(history, cli) {
    const command = withOutputOptions(history
        .command('show')
        .description('what is broken, since when and why, what is flaky and what was fixed')
        .requiredOption(storeOption, storeHelp)
        .option('--window <runs>', `the flake rate is over this many latest runs (default ${FLAKE_WINDOW})`, positiveInt)).action(action(cli, BAD_INPUT, async (options) => {
        const timeline = await readStore(cli, options.store);
        const facts = allFacts(timeline, options.window);
        return {
            exitCode: EXIT.ok,
            text: historyText(timeline, facts),
            summary: historySummary(facts),
        };
    }));
    withExamples(command, [
        ['diverge history show --store history', 'broken, flaky and fixed tests on the terminal'],
        [
            'diverge history show --store history --json',
            '{tests: [{id, state, brokenSince, lastGood, flakeRate, …}]} on stdout',
        ],
    ]);
}
function registerRender(history, cli) {
    const command = history
        .command('render')
        .description('write the dashboard: a static site, badge.json and an Atom feed of state changes')
        .requiredOption(storeOption, storeHelp)
        .requiredOption('-o, --out <dir>', 'where to write the site')
        .option('--url <url>', "the site's public address, for the feed's links")
        .option('--window <runs>', `the flake rate is over this many latest runs (default ${FLAKE_WINDOW})`, positiveInt)
        .action(action(cli, BAD_INPUT, async (options) => {
        const timeline = await readStore(cli, options.store);
        const facts = allFacts(timeline, options.window);
        const out = path.resolve(cli.cwd, options.out);
        const site = await renderSite(timeline, facts, out, {
            ...(options.url ? { url: options.url } : {}),
        });
        cli.log(`wrote ${site.pages} pages of ${timeline.runs.length} runs to ${out}`);
        return EXIT.ok;
    }));
    withExamples(command, [
        ['diverge history render --store history --out site', 'the dashboard in site/index.html'],
        [
            'diverge history render --store history -o site --url https://example.org/kernel/',
            'with the Atom feed linking to the published site',
        ],
    ]);
}
function register$3(program, cli) {
    const history = withExamples(program
        .command('history')
        .description('the runs of the default branch kept over time: add, show, render'), [
        ['diverge history add out/report.json --store history', 'record a run'],
        ['diverge history show --store history', 'what is broken, since when'],
    ]);
    registerAdd(history, cli);
    registerShow(history, cli);
    registerRender(history, cli);
    return history;
}

const REPOSITORY_KINDS = [
    'linux',
    'pintos',
    'xv6-riscv',
    'xv6-x86',
    'multiboot',
    'dockerfile',
];
const isFile = (file) => stat(file).then((s) => s.isFile(), () => false);
const isDir = (dir) => stat(dir).then((s) => s.isDirectory(), () => false);
const contains = (file, pattern) => readFile(file, 'utf8').then((text) => pattern.test(text), () => false);
const all = async (checks) => (await Promise.all(checks)).every(Boolean);
/** Source files a multiboot header may be in: C and assembly, a few levels down. */
const SOURCE = /\.(S|s|c|asm)$/;
/** Folders never searched: dependencies, VCS data, build and output trees. */
const SKIP = new Set(['.git', 'node_modules', 'out', 'build', 'diverge-out', '.cache']);
const MULTIBOOT_MAGIC = /0x1badb002/i;
async function hasMultibootHeader(dir, depth = 3) {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isFile() && SOURCE.test(entry.name) && (await contains(full, MULTIBOOT_MAGIC)))
            return true;
    }
    if (depth === 0)
        return false;
    for (const entry of entries)
        if (entry.isDirectory() && !SKIP.has(entry.name))
            if (await hasMultibootHeader(path.join(dir, entry.name), depth - 1))
                return true;
    return false;
}
/** One console step per test: a program run at the shell's prompt (xv6 on either arch). */
const XV6_SCRIPT = `  script:
    - expect: '^\\$ ' # the shell's prompt, at the start of a line
      send: "{test}\\n" # the test's output: what it prints up to the next prompt
      pass: '^(fork test )?OK$'
      fail: 'FAILED'
      timeout: 10s # the program's own time: a kernel that never gives the prompt back hangs it
`;
/** Tests of xv6's own programs; a course adds its own (its programs on fs.img). */
const XV6_TESTS = `  # xv6's own quick test; add your programs on fs.img, one boot each. usertests is the full
  # suite (minutes per run under TCG): add it with a step timeout of 10m.
  tests: [forktest]
`;
const KINDS = {
    linux: {
        what: 'a Linux kernel tree',
        detect: (dir) => all([
            isFile(path.join(dir, 'Kconfig')),
            isDir(path.join(dir, 'arch')),
            contains(path.join(dir, 'Makefile'), /^VERSION = \d+/m),
        ]),
        kernel: { file: 'arch/x86/boot/bzImage', image: '/out/bzImage' },
        build: {
            packages: ['build-essential', 'flex', 'bison', 'bc', 'libelf-dev', 'libssl-dev'],
            command: 'make defconfig && make -j"$(nproc)" bzImage',
        },
        body: `machine:
  arch: x86_64 # x86_64 | i386 | aarch64 | riscv64 (aarch64: the Image, console=ttyAMA0)
  memory: 512M
  # append: the default is Linux's console=ttyS0 panic=-1 for the arch
harness:
  # The tests, as an initramfs whose /init runs them and prints KTAP on the console, then powers
  # off (kselftest's runner does; diverge's fixtures/linux/build-harness.sh builds one). Or
  # dir: harness/root (packed for you), or image: { build: { context: harness } }.
  initrd: harness.cpio.gz
  results: { format: ktap, channel: console }
  timeouts: { boot: 60s, stall: 20s, total: 300s }
`,
    },
    pintos: {
        what: 'Pintos',
        detect: (dir) => all([isDir(path.join(dir, 'src/threads')), isFile(path.join(dir, 'src/utils/pintos'))]),
        kernel: { file: 'src/threads/build/os.dsk', image: '/out/os.dsk' },
        build: {
            packages: ['gcc-multilib', 'make', 'perl'],
            // -fno-pie: a position-independent kernel resets the machine (fixtures/pintos/Dockerfile).
            command: 'make -C src/threads CFLAGS="-m32 -g -msoft-float -O0 -fno-stack-protector -fno-pie" && src/utils/pintos-mkdisk --format=partitioned --kernel=src/threads/build/kernel.bin --loader=src/threads/build/loader.bin src/threads/build/os.dsk',
        },
        // fixtures/pintos/diverge.yml, as utils/pintos boots it.
        body: `machine:
  arch: i386
  memory: 4M # pintos -m 4
  boot: disk # the firmware boots os.dsk's loader, which loads the kernel from its partition
  command-line: pintos # each boot's append, written into a copy of os.dsk as pintos does
  exit: { device: isa-debug-exit, port: 0x501 } # Pintos' power-off writes 0x501
  append: '-q run {test}' # one boot per test, as \`pintos -- -q run TEST\`
harness:
  # tests/threads' alarm tests; add the project's others (priority-*, mlfqs-*), one boot each.
  tests: [alarm-single, alarm-multiple, alarm-simultaneous, alarm-zero, alarm-negative]
  # The test's own time, as Pintos' tests have (tests/Make.tests: pintos -T 60).
  test-timeouts: [{ test: alarm-multiple, timeout: 40s }, { test: '**', timeout: 20s }]
  results: # a test's lines run from "Executing" to its verdict
    format: regex
    regex:
      start: "^Executing '"
      pass: "^Execution of '(?<id>[^']+)' complete"
      fail: "^\\\\((?<id>[^)]+)\\\\) FAIL: " # tests/threads/tests.c fail(), which then panics
  timeouts: { boot: 30s, stall: 30s, total: 60s }
normalize:
  # Threads whose products tie wake on the same tick in either order.
  unordered: [alarm-multiple]
`,
    },
    'xv6-riscv': {
        what: 'xv6 for RISC-V',
        detect: (dir) => all([
            isDir(path.join(dir, 'kernel')),
            isDir(path.join(dir, 'user')),
            contains(path.join(dir, 'Makefile'), /qemu-system-riscv64/),
        ]),
        kernel: { file: 'kernel/kernel', image: '/out/kernel' },
        build: {
            packages: ['gcc-riscv64-unknown-elf', 'make'],
            command: 'make TOOLPREFIX=riscv64-unknown-elf- kernel/kernel fs.img',
        },
        // fixtures/xv6-riscv/diverge.yml, as `make qemu` boots it.
        body: `machine:
  arch: riscv64
  memory: 128M # xv6 uses the first 128 MiB (PHYSTOP)
  cpus: 1
  firmware: none # -bios none: xv6 starts in M-mode at 0x80000000
  append: '' # xv6 reads no command line
harness:
  disks: # bus 0, where xv6 looks; a modern (version 2) virtio-mmio transport
    - { file: fs.img, interface: virtio-mmio, format: raw }
${XV6_TESTS}${XV6_SCRIPT}  # xv6 fills its 128 MiB with junk (kinit) before the shell starts: seconds of silence under TCG.
  timeouts: { boot: 60s, stall: 30s, total: 2m }
`,
    },
    'xv6-x86': {
        what: 'xv6 for x86',
        detect: (dir) => all([isFile(path.join(dir, 'bootasm.S')), contains(path.join(dir, 'Makefile'), /xv6\.img/)]),
        kernel: { file: 'xv6.img', image: '/out/xv6.img' },
        build: { packages: ['gcc-multilib', 'make'], command: 'make xv6.img fs.img' },
        // fixtures/xv6-x86/diverge.yml, as `make qemu-nox` boots it.
        body: `machine:
  arch: i386
  boot: disk # the kernel file is a boot disk (xv6.img): IDE index 0, booted by SeaBIOS
  memory: 512M
  cpus: 1
  # xv6 writes its console to the CGA screen too, and panics when no card answers there: QEMU's
  # default VGA card, which diverge's -nodefaults leaves out.
  qemu-args: [-vga, std]
harness:
  disks: # IDE index 1, after the boot disk: where xv6's ide.c looks for its file system
    - { file: fs.img, interface: ide }
${XV6_TESTS}${XV6_SCRIPT}  timeouts: { boot: 30s, stall: 20s, total: 1m }
`,
    },
    multiboot: {
        what: 'a multiboot kernel',
        detect: (dir) => hasMultibootHeader(dir),
        kernel: { file: 'kernel.elf', image: '/out/kernel.elf' },
        build: { packages: ['build-essential', 'gcc-multilib'], command: 'make' },
        // fixtures/course/diverge.yml: QEMU loads a multiboot ELF itself.
        body: `machine:
  arch: x86_64 # QEMU's -kernel loads a multiboot ELF (32-bit) on x86_64 and i386 alike
  profile: pc
  memory: 64M
  cpus: 1
  exit: isa-debug-exit # lets the kernel end the VM by writing 0 (or its error) to port 0xf4
  append: '' # the kernel's multiboot command line (the default is Linux's)
harness:
  # The tests: a program the kernel loads from multiboot module 0 (QEMU's -initrd), which prints
  # KTAP on the console. Or, with no harness, the whole console as one test:
  # results: { format: transcript, test: boot }
  initrd: harness.bin
  results: { format: ktap, channel: console }
  timeouts: { boot: 10s, stall: 3s, total: 30s }
`,
    },
    dockerfile: {
        what: 'a kernel built by its Dockerfile',
        detect: (dir) => isFile(path.join(dir, 'Dockerfile')),
        kernel: { file: 'kernel.elf', image: '/out/kernel.elf' },
        build: { packages: ['build-essential'], command: 'make' },
        body: `machine:
  arch: x86_64 # x86_64 | i386 | aarch64 | riscv64
  memory: 256M
  append: '' # the kernel's command line (the default is Linux's console=ttyS0 panic=-1)
harness:
  # The whole console of a boot is one test, "boot", compared line by line with the references'.
  # A harness that prints KTAP or TAP gives one verdict per test: see docs/config.md.
  results: { format: transcript, test: boot }
  timeouts: { boot: 30s, stall: 10s, total: 60s }
`,
    },
};
const kindDescription = (kind) => KINDS[kind].what;
/** The first kind of the table whose markers `dir` has, or undefined. */
async function detectKind(dir) {
    for (const kind of REPOSITORY_KINDS)
        if (await KINDS[kind].detect(dir))
            return kind;
    return undefined;
}
/**
 * The files `init` writes for a `kind` repository; with `dockerfile`, the kernel is built by the
 * repository's Dockerfile, else by a workflow step before diverge runs.
 */
function initFiles(kind, dockerfile) {
    const spec = KINDS[kind];
    const kernel = dockerfile
        ? `kernel:
  build: { context: ., dockerfile: Dockerfile } # add target: STAGE for a multi-stage build
  path: ${spec.kernel.image} # where the Dockerfile leaves the kernel in its image: adjust
`
        : `kernel:
  file: ${spec.kernel.file} # built by the workflow's step before diverge runs (\`${spec.build.command}\`)
`;
    const config = `# yaml-language-server: $schema=${CONFIG_SCHEMA_URL}
# diverge.yml for ${spec.what}, written by \`diverge init\`; docs/config.md has every key.
# Check it with \`diverge doctor\`, try it with \`diverge run --reference staff=PATH\`.
${kernel}references:
  - { name: base, base: true } # the pull request's base branch: its published kernel, else built
  # - { name: staff, file: staff/kernel } # a kernel file of your own (a course's staff kernel)
${spec.body}`;
    const build = dockerfile
        ? ''
        : `      - name: Build the kernel
        run: |
          sudo apt-get update
          sudo apt-get install -y --no-install-recommends ${spec.build.packages.join(' ')}
          ${spec.build.command}
`;
    const workflow = `# Written by \`diverge init\`: every pull request's kernel judged against the references of
# diverge.yml (README.md, "Check pull requests with the action").
name: diverge
on:
  pull_request:
  push:
    branches: [main] # pushes publish the kernel that pull requests use as \`base: true\`
permissions:
  contents: read
  checks: write # the check run
  pull-requests: write # the sticky comment
  actions: read # reference kernels from artifacts of other runs
jobs:
  diverge:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
${build}      - uses: ${ACTION_USES}
        with:
          config: diverge.yml
          install-qemu: auto # apt-get installs the QEMU of machine.arch when missing
          kvm: auto # opens /dev/kvm to the runner user (udev rule), else TCG with a warning
`;
    return { config, workflow };
}

/**
 * `diverge init`: looks at a repository, says what kind of kernel it holds, and writes a
 * commented diverge.yml and a workflow that uses the action (config/init.ts has the kinds).
 * On a terminal it asks once whether the detected kind is right; `--yes`, `--kind` or no
 * terminal skip the question.
 */
const WORKFLOW = path.join('.github', 'workflows', 'diverge.yml');
/** The one question: the detected kind, or another one typed in its place. */
async function confirmKind(detected) {
    const prompt = detected
        ? `This looks like ${kindDescription(detected)}. Kind [${detected}] (or one of ${REPOSITORY_KINDS.join(', ')}): `
        : `Which kind of repository is this (${REPOSITORY_KINDS.join(', ')})? `;
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
        const answer = (await rl.question(prompt)).trim();
        if (answer === '' && detected)
            return detected;
        if (REPOSITORY_KINDS.includes(answer))
            return answer;
        throw new UsageError(`"${answer}" is not a kind diverge knows: one of ${REPOSITORY_KINDS.join(', ')}`);
    }
    finally {
        rl.close();
    }
}
function register$2(program, cli) {
    const command = program
        .command('init')
        .description("write a commented diverge.yml and .github/workflows/diverge.yml for the repository's kind of kernel")
        .option('-d, --dir <dir>', 'the repository (default: the working directory)')
        .addOption(optionOf('-k, --kind <kind>', 'the kind of repository, not detected', REPOSITORY_KINDS))
        .option('-f, --force', 'overwrite an existing diverge.yml (and the workflow)')
        .option('-y, --yes', 'take the detected kind without asking, even on a terminal');
    withOutputOptions(command).action(action(cli, [UsageError], async (options) => {
        const dir = path.resolve(cli.cwd, options.dir ?? '.');
        if (!existsSync(dir))
            throw new UsageError(`--dir ${dir}: no such directory`);
        const configFile = path.join(dir, 'diverge.yml');
        const workflowFile = path.join(dir, WORKFLOW);
        // Refused before anything is written: the user's own config is never replaced by surprise.
        for (const file of [configFile, workflowFile])
            if (!options.force && existsSync(file))
                throw new UsageError(`${file} exists: --force replaces it`);
        const detected = options.kind ?? (await detectKind(dir));
        const asking = !options.kind && !options.yes && process.stdin.isTTY && process.stderr.isTTY;
        const kind = asking ? await confirmKind(detected) : detected;
        if (!kind)
            throw new UsageError(`${dir}: no kernel repository diverge knows (a Linux tree, xv6, Pintos, a multiboot kernel, a Dockerfile): give --kind, one of ${REPOSITORY_KINDS.join(', ')}`);
        const dockerfile = existsSync(path.join(dir, 'Dockerfile'));
        const files = initFiles(kind, dockerfile);
        await writeFile(configFile, files.config);
        await mkdir(path.dirname(workflowFile), { recursive: true });
        await writeFile(workflowFile, files.workflow);
        const written = [configFile, workflowFile];
        return {
            exitCode: EXIT.ok,
            text: `${kindDescription(kind)} (${kind}${dockerfile ? ', built by its Dockerfile' : ''}): wrote\n${written.map((f) => `  ${path.relative(cli.cwd, f) || f}\n`).join('')}next: diverge doctor${options.dir ? ` -c ${path.relative(cli.cwd, configFile)}` : ''}\n`,
            summary: { kind, detected: detected ?? null, dockerfile, files: written },
        };
    }));
    return withExamples(command, [
        [
            'diverge init',
            'detect the kind of the repository here, ask once on a terminal, write both files',
        ],
        ['diverge init --dir xv6 --kind xv6-riscv --yes', 'no question: the kind given, in ./xv6'],
        [
            'diverge init --force',
            'replace an existing diverge.yml and workflow (without --force: exit 2, nothing written)',
        ],
    ]);
}

var init = /*#__PURE__*/Object.freeze({
  __proto__: null,
  register: register$2
});

/** `diverge report`: a report.json rendered for people. */
function register$1(program, cli) {
    const command = program
        .command('report')
        .description('render a report.json for people')
        .argument('<report.json>', 'a report written by diverge run or compare')
        .addOption(optionOf('-f, --format <format>', 'output format', OUTPUT_FORMAT_NAMES).default('terminal'))
        .option('--budget <bytes>', 'most bytes of Markdown (default 60000)', positiveInt)
        .action(action(cli, [UsageError, ReportError], async (file, options) => {
        const format = outputFormat(options.format);
        if (!format)
            throw new UsageError(`--format: expected one of ${OUTPUT_FORMAT_NAMES.join(', ')}, got "${options.format}"`);
        const report = await readReport(file);
        const dir = path.dirname(path.resolve(file));
        const rendered = await format.render(report, {
            // Serial logs are read where boots[].log points: beside the report, or for a
            // student's report (OUT/students/NAME) anywhere in the grade's OUT, where the
            // references' logs are.
            dir,
            root: report.subject ? path.resolve(dir, '..', '..') : dir,
            color: cli.color,
            markdown: {
                reportUrl: file,
                ...(options.budget ? { budgetBytes: options.budget } : {}),
            },
        });
        // A report too big for one string comes in pieces; a pipe takes them at its own pace.
        for (const piece of typeof rendered === 'string' ? [rendered] : rendered)
            if (!process.stdout.write(piece))
                await once(process.stdout, 'drain');
        return EXIT.ok;
    }));
    return withExamples(command, [
        ['diverge report out/report.json', 'the verdicts on the terminal, as run printed them'],
        [
            'diverge report out/report.json --format html > report.html',
            'the self-contained page, with the serial logs found beside the report',
        ],
        [
            'diverge report out/report.json -f markdown --budget 30000',
            'the PR comment, cut to 30000 bytes',
        ],
    ]);
}

var report = /*#__PURE__*/Object.freeze({
  __proto__: null,
  register: register$1
});

/**
 * The files for course tools that `diverge run` writes beside its report when asked: JUnit XML
 * (`--junit FILE`) and Gradescope's results.json scored by the config's rubric (`--gradescope
 * FILE`).
 */
/** The requested files, each with its content, JUnit first. */
function courseFiles(report, grading, request) {
    const files = [];
    if (request.junit)
        files.push({ file: request.junit, content: renderJunit(report) });
    if (request.gradescope) {
        const results = gradescopeResults(report, scoreReport(report, grading));
        files.push({ file: request.gradescope, content: `${JSON.stringify(results, null, 2)}\n` });
    }
    return files;
}
/** Writes the requested files, paths relative to the working directory. */
async function writeCourseFiles(report, grading, request) {
    for (const { file, content } of courseFiles(report, grading, request))
        await writeFile(path.resolve(file), content);
}

/** `diverge run`: the candidate against the references, judged; report.json and report.md. */
function register(program, cli) {
    const command = program
        .command('run')
        .description('boot the candidate and the references, judge every test, write report.json and report.md')
        .addOption(configOption())
        .option('--candidate <path>', "the candidate kernel (default: the config's kernel.build or kernel.file)")
        .addOption(referenceOption())
        .option('-o, --out <dir>', 'output directory', DEFAULT_OUT.run)
        .option('--variant <name>', 'the build variant: passed to kernel.build as the VARIANT build argument and shown in reports (default: that argument, else "default")')
        .addOption(jobsOption())
        .option('--repository <owner/name>', 'repository of artifact and release references (default: GITHUB_REPOSITORY)')
        .option('--base-ref <branch>', "for base: true: the pull request's base branch (default: GITHUB_BASE_REF); locally, the base is its merge-base with HEAD (default: origin's default branch)")
        .option('--base-sha <sha>', 'for base: true: the base commit itself (default: from the event; locally, the merge-base)')
        .addOption(observationCacheOption())
        .option('--gradescope <file>', "also write a Gradescope results.json scored by the config's grading rubric")
        .option('--junit <file>', 'also write the verdicts as JUnit XML');
    withOutputOptions(command).action(action(cli, [...JUDGE_INPUT_ERRORS, RubricError], async (options) => {
        const settings = await settingsFor(options.config, cli.cwd);
        const candidate = options.candidate ? path.resolve(options.candidate) : undefined;
        const variant = variantOf(settings, options.variant, options.candidate);
        // GITHUB_TOKEN (and GITHUB_API_URL) let a local run fetch artifacts and releases too.
        const { github, run } = githubFromEnvironment(cli.env, {
            variant,
            ...(options.repository ? { repository: options.repository } : {}),
            ...(options.baseRef ? { baseRef: options.baseRef } : {}),
            ...(options.baseSha ? { baseSha: options.baseSha } : {}),
        }, cli.log);
        await checkRunInputs(settings, {
            ...(candidate ? { candidate } : {}),
            ...(options.reference ? { references: options.reference } : {}),
            rubric: Boolean(options.gradescope),
            run,
        });
        const outDir = await takeOut(options.out, cli.log, true);
        const kernels = await resolveKernels(settings, {
            ...(candidate ? { candidate } : {}),
            ...(options.reference ? { references: options.reference } : {}),
        }, {
            docker: cli.docker,
            variant,
            outDir,
            progress: cli.log,
            run,
            cache: cli.context.cache,
            clock: cli.context.clock,
            waits: cli.context.waits,
            ...(github ? { github } : {}),
        });
        const report = await runDifferential(cli.context, settings, kernels, {
            outDir,
            docker: cli.docker,
            variant,
            observationCache: options.observationCache,
            progress: cli.log,
            ...(options.jobs ? { jobs: options.jobs } : {}),
        });
        cli.log(`report: ${path.join(outDir, 'report.html')}, report.json and report.md; serial logs in ${path.join(outDir, 'logs')}`);
        if (options.gradescope)
            checkRubric(settings.grading, report.tests.map((t) => t.id), settings.configPath);
        await writeCourseFiles(report, settings.grading, {
            junit: options.junit,
            gradescope: options.gradescope,
        });
        return reportOutcome(cli, report, outDir);
    }));
    return withExamples(command, [
        [
            'diverge run',
            "build or fetch ./diverge.yml's kernel and references, judge it, write diverge-out/",
        ],
        [
            'diverge run -c diverge.yml --candidate build/kernel.elf -r staff=refs/staff.elf -r v1.2=refs/v1.2.elf -o out/',
            "these kernel files instead of the config's kernel and references",
        ],
        [
            'diverge run --variant lab2 --junit junit.xml --gradescope results.json',
            "build variant lab2; also JUnit XML and Gradescope results scored by the config's rubric",
        ],
    ]);
}

var run = /*#__PURE__*/Object.freeze({
  __proto__: null,
  register: register
});

/** The `diverge` program: every command, in the order --help lists them. */
function divergeProgram(cli) {
    const program = new Command('diverge')
        .description('Differential testing of operating-system kernels under QEMU')
        .version(TOOL_VERSION)
        // A subcommand's options are its own (`grade merge --out` is not `grade --out`).
        .enablePositionalOptions()
        // Commands inherit these two when they are added (so before any is).
        .exitOverride()
        .configureOutput({ writeErr: (text) => process.stderr.write(text) });
    for (const command of [init, boot, run, compare, report, expectations, doctor, demo, bisect])
        command.register(program, cli);
    register$4(register$5(program, cli), cli);
    register$3(program, cli);
    register$9(program, cli);
    return program;
}

/**
 * The CLI's whole run, from an argument vector to an exit code: the CLI's entry (dist/cli.js)
 * and the grade/ sub-action (dist/grade.js, `diverge grade` on a runner) both run it.
 */
/** How long an interrupted command may take to remove its containers and worktrees. */
const UNDO_ON_SIGNAL_MS = 15_000;
/** Runs the program on `argv` (node, script, arguments…) and returns the exit code. */
async function runCli(proc) {
    dropDependencyWarnings();
    const log = (line) => proc.stderr(`[diverge] ${line}\n`);
    /** Its process registry lets an interrupted CLI stop every QEMU. */
    const context = createRunContext(proc.env);
    useProxy(context.proxy, { info: log, warning: (line) => log(`warning: ${line}`) });
    // Interrupted (Ctrl-C, a cancelled CI job): stop every QEMU first. Observations and logs of the
    // boots that ended are already on disk. Then remove the containers and worktrees still in use
    // (bounded: a wedged engine does not keep diverge alive), and die of the signal itself (a shell
    // sees 130 or 143): process.exit would wait for a file operation stuck in a worker thread (a
    // FIFO's open), forever. A second signal ends diverge at once.
    for (const signal of ['SIGINT', 'SIGTERM']) {
        process.once(signal, () => {
            proc.stderr(`diverge: ${signal}: stopping every boot\n`);
            context.processes.killAll();
            void undoAll(UNDO_ON_SIGNAL_MS).then((undone) => {
                if (undone > 0)
                    proc.stderr(`diverge: ${signal}: removed ${undone} container(s) and worktree(s)\n`);
                context.processes.killAll();
                process.kill(process.pid, signal);
            });
        });
    }
    process.on('exit', () => context.processes.killAll());
    const exitCode = await main(proc, context, log);
    // What the disk refused was said as it happened; it is listed again at the end, and the run
    // failed for the infrastructure whatever the verdict.
    for (const line of context.unwritten)
        proc.stderr(`diverge: ${line}\n`);
    return context.unwritten.length > 0 ? EXIT.infrastructure : exitCode;
}
/** The exit code of the command; commander's own errors (it printed them) are usage errors. */
async function main(proc, context, log) {
    const progress = (line) => {
        if (!cli.quiet)
            log(line);
    };
    const cli = {
        context,
        env: proc.env,
        cwd: proc.cwd,
        docker: dockerAccess(context.dockerHost, undefined, progress, context.waits.dockerMs, context.builder),
        log: progress,
        quiet: false,
        color: colorFor(proc.env, proc.tty),
        exitCode: EXIT.ok,
    };
    try {
        await divergeProgram(cli).parseAsync(proc.argv);
        return cli.exitCode;
    }
    catch (error) {
        const commanderCode = error.code;
        if (commanderCode?.startsWith('commander.'))
            return commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version'
                ? EXIT.ok
                : EXIT.usage;
        proc.stderr(failureLine(error));
        return EXIT.infrastructure;
    }
}

export { runCli as r };

// The Live API guide's JS examples (text, audio in, audio out, function calling), run
// unchanged except for the client's baseUrl and the sample files, against agentkit's emulator.
// Usage: node guide_examples.mjs <example> <http://127.0.0.1:PORT> <workdir>
import { GoogleGenAI, Modality } from '@google/genai';
import * as fs from "node:fs";
import pkg from 'wavefile';
const { WaveFile } = pkg;

const [example, baseUrl, workdir] = process.argv.slice(2);
process.chdir(workdir);
const ai = new GoogleGenAI({ apiKey: "GOOGLE_API_KEY", httpOptions: { baseUrl } });
const model = 'gemini-2.0-flash-live-001';

function queueHelpers(responseQueue, stopOnToolCall) {
  async function waitMessage() {
    let done = false;
    let message = undefined;
    while (!done) {
      message = responseQueue.shift();
      if (message) {
        done = true;
      } else {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return message;
  }

  async function handleTurn() {
    const turns = [];
    let done = false;
    while (!done) {
      const message = await waitMessage();
      turns.push(message);
      if (message.serverContent && message.serverContent.turnComplete) {
        done = true;
      } else if (stopOnToolCall && message.toolCall) {
        done = true;
      }
    }
    return turns;
  }
  return { waitMessage, handleTurn };
}

function callbacks(responseQueue) {
  return {
    onopen: function () {
      console.debug('Opened');
    },
    onmessage: function (message) {
      responseQueue.push(message);
    },
    onerror: function (e) {
      console.debug('Error:', e.message);
    },
    onclose: function (e) {
      console.debug('Close:', e.reason);
    },
  };
}

async function text() {
  const config = { responseModalities: [Modality.TEXT] };
  const responseQueue = [];
  const { handleTurn } = queueHelpers(responseQueue, false);
  const session = await ai.live.connect({ model: model, callbacks: callbacks(responseQueue), config: config });

  const inputTurns = 'Hello how are you?';
  session.sendClientContent({ turns: inputTurns });

  const turns = await handleTurn();
  for (const turn of turns) {
    if (turn.text) {
      console.debug('Received text: %s\n', turn.text);
    }
    else if (turn.data) {
      console.debug('Received inline data: %s\n', turn.data);
    }
  }

  session.close();
}

async function audioIn() {
  const config = { responseModalities: [Modality.TEXT] };
  const responseQueue = [];
  const { handleTurn } = queueHelpers(responseQueue, false);
  const session = await ai.live.connect({ model: model, callbacks: callbacks(responseQueue), config: config });

  // Send Audio Chunk
  const fileBuffer = fs.readFileSync("sample.wav");

  // Ensure audio conforms to API requirements (16-bit PCM, 16kHz, mono)
  const wav = new WaveFile();
  wav.fromBuffer(fileBuffer);
  wav.toSampleRate(16000);
  wav.toBitDepth("16");
  const base64Audio = wav.toBase64();

  session.sendRealtimeInput(
    {
      audio: {
        data: base64Audio,
        mimeType: "audio/pcm;rate=16000"
      }
    }
  );

  const turns = await handleTurn();
  for (const turn of turns) {
    if (turn.text) {
      console.debug('Received text: %s\n', turn.text);
    }
    else if (turn.data) {
      console.debug('Received inline data: %s\n', turn.data);
    }
  }

  session.close();
}

async function audioOut() {
  const config = { responseModalities: [Modality.AUDIO] };
  const responseQueue = [];
  const { handleTurn } = queueHelpers(responseQueue, false);
  const session = await ai.live.connect({ model: model, callbacks: callbacks(responseQueue), config: config });

  const inputTurns = 'Hello how are you?';
  session.sendClientContent({ turns: inputTurns });

  const turns = await handleTurn();

  // Combine audio data strings and save as wave file
  const combinedAudio = turns.reduce((acc, turn) => {
    if (turn.data) {
      const buffer = Buffer.from(turn.data, 'base64');
      const intArray = new Int16Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / Int16Array.BYTES_PER_ELEMENT);
      return acc.concat(Array.from(intArray));
    }
    return acc;
  }, []);

  const audioBuffer = new Int16Array(combinedAudio);

  const wf = new WaveFile();
  wf.fromScratch(1, 24000, '16', audioBuffer);
  fs.writeFileSync('output.wav', wf.toBuffer());
  console.debug('Wrote output.wav with %d samples', audioBuffer.length);

  session.close();
}

async function functionCalling() {
  // Simple function definitions
  const turn_on_the_lights = { name: "turn_on_the_lights" } // , description: '...', parameters: { ... }
  const turn_off_the_lights = { name: "turn_off_the_lights" }

  const tools = [{ functionDeclarations: [turn_on_the_lights, turn_off_the_lights] }]

  const config = {
    responseModalities: [Modality.TEXT],
    tools: tools
  }
  const responseQueue = [];
  const { handleTurn } = queueHelpers(responseQueue, true);
  const session = await ai.live.connect({ model: model, callbacks: callbacks(responseQueue), config: config });

  const inputTurns = 'Turn on the lights please';
  session.sendClientContent({ turns: inputTurns });

  let turns = await handleTurn();

  for (const turn of turns) {
    if (turn.serverContent && turn.serverContent.modelTurn && turn.serverContent.modelTurn.parts) {
      for (const part of turn.serverContent.modelTurn.parts) {
        if (part.text) {
          console.debug('Received text: %s\n', part.text);
        }
      }
    }
    else if (turn.toolCall) {
      const functionResponses = [];
      for (const fc of turn.toolCall.functionCalls) {
        functionResponses.push({
          id: fc.id,
          name: fc.name,
          response: { result: "ok" } // simple, hard-coded function response
        });
      }

      console.debug('Sending tool response...\n');
      session.sendToolResponse({ functionResponses: functionResponses });
    }
  }

  // Check again for new messages
  turns = await handleTurn();

  for (const turn of turns) {
    if (turn.serverContent && turn.serverContent.modelTurn && turn.serverContent.modelTurn.parts) {
      for (const part of turn.serverContent.modelTurn.parts) {
        if (part.text) {
          console.debug('Received text: %s\n', part.text);
        }
      }
    }
  }

  session.close();
}

const examples = { text, audioIn, audioOut, functionCalling };

async function main() {
  await examples[example]().catch((e) => { console.error('got error', e); process.exitCode = 1; });
}

main();

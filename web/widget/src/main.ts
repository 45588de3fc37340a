// Entry of /widget.js (an IIFE built by vite.widget.config.ts).
import { boot } from './widget'

boot()
